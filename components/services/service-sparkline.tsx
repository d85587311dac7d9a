"use client";
import { useServiceTimeseries } from "../api/use-service-timeseries";
import { Sparkline } from "../charts/sparkline";
import { prepareSparkline } from "../charts/prepare-red-series";

/** Request-rate sparkline of one service (30 points over the global range). */
export function ServiceSparkline({ name }: { name: string }) {
  const ts = useServiceTimeseries(name, 30);
  if (!ts.data) return <span className="sparkline muted">{ts.isError ? "—" : ""}</span>;
  const data = prepareSparkline(ts.data.points, ts.data.fromMs, ts.data.toMs, ts.data.step);
  return <Sparkline data={data} />;
}
