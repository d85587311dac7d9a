"use client";
import { useEffect, useRef, useState } from "react";
import { useServiceTimeseries } from "../api/use-service-timeseries";
import { Sparkline } from "../charts/sparkline";
import { prepareSparkline } from "../charts/prepare-red-series";

/**
 * Request-rate sparkline of one service (30 points over the global range). It loads only
 * once its row scrolls into view, so a 300-service table does not fire 300 requests per refresh.
 */
export function ServiceSparkline({ name, environment }: { name: string; environment?: string }) {
  const ref = useRef<HTMLSpanElement>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || seen) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setSeen(true), {
      rootMargin: "200px",
    });
    io.observe(el);
    return () => io.disconnect();
  }, [seen]);
  const ts = useServiceTimeseries(seen ? name : null, 30, environment);
  if (!ts.data)
    return (
      <span ref={ref} className="sparkline muted" style={{ display: "inline-block" }}>
        {ts.isError ? "—" : ""}
      </span>
    );
  const data = prepareSparkline(ts.data.points, ts.data.fromMs, ts.data.toMs, ts.data.step);
  return <Sparkline data={data} />;
}
