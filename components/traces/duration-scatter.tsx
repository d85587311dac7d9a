"use client";
import { useRouter } from "next/navigation";
import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from "recharts";
import { formatMs } from "@/lib/format";
import { computeTimeTicks, formatTimeTick } from "../charts/prepare-red-series";
import type { ScatterPoint } from "./prepare-trace-scatter";

/** Duration over time, one dot per trace (errors in red); click a dot to open the trace. */
export function DurationScatter({
  data,
  domain,
  rangeQuery,
}: {
  data: { ok: ScatterPoint[]; error: ScatterPoint[] };
  domain: [number, number];
  rangeQuery: string;
}) {
  const router = useRouter();
  const open = (p: unknown) => {
    const id = (p as { payload?: ScatterPoint })?.payload?.traceId ?? (p as ScatterPoint)?.traceId;
    if (id) router.push(`/traces/${encodeURIComponent(id)}?${rangeQuery}`);
  };
  return (
    <div style={{ height: 220 }} data-testid="duration-scatter">
      <ResponsiveContainer width="100%" height="100%">
        <ScatterChart margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid stroke="var(--grid)" />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={domain}
            ticks={computeTimeTicks(domain)}
            allowDataOverflow
            tickFormatter={(t: number) => formatTimeTick(t, domain[1] - domain[0])}
            stroke="var(--muted)"
            fontSize={11}
          />
          <YAxis
            dataKey="durationMs"
            type="number"
            tickFormatter={(v: number) => formatMs(v)}
            stroke="var(--muted)"
            fontSize={11}
            width={64}
          />
          <Tooltip
            cursor={{ strokeDasharray: "3 3" }}
            content={({ payload }) => {
              const p = payload?.[0]?.payload as ScatterPoint | undefined;
              if (!p) return null;
              return (
                <div className="map-tooltip" style={{ position: "static" }}>
                  <div className="title">{p.label}</div>
                  <div>
                    {formatMs(p.durationMs)} · {new Date(p.t).toLocaleTimeString()}
                  </div>
                </div>
              );
            }}
          />
          <Scatter
            name="ok"
            data={data.ok}
            fill="var(--accent)"
            onClick={open}
            isAnimationActive={false}
            cursor="pointer"
          />
          <Scatter
            name="error"
            data={data.error}
            fill="var(--critical)"
            onClick={open}
            isAnimationActive={false}
            cursor="pointer"
          />
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}
