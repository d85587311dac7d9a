"use client";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatUnitValue } from "@/lib/format";
import { computeTimeTicks, formatTimeTick, isIsolated } from "./prepare-red-series";
import type { MetricChartData } from "./prepare-metric-series";

export function MetricChart({ data, unit }: { data: MetricChartData; unit: string }) {
  const span = data.domain[1] - data.domain[0];
  const fmt = (v: number) => formatUnitValue(v, unit);
  return (
    <div style={{ height: 340 }} data-testid="metric-chart">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data.rows} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid stroke="var(--grid)" vertical={false} />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={data.domain}
            ticks={computeTimeTicks(data.domain)}
            tickFormatter={(t: number) => formatTimeTick(t, span)}
            stroke="var(--muted)"
            fontSize={11}
          />
          <YAxis stroke="var(--muted)" fontSize={11} width={72} tickFormatter={fmt} />
          <Tooltip
            labelFormatter={(t) => new Date(Number(t)).toLocaleString()}
            formatter={(v) => (typeof v === "number" ? fmt(v) : "no data")}
            contentStyle={{ background: "var(--bg-elev)", border: "1px solid var(--border)", fontSize: 12 }}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {data.series.map((s) => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.label}
              stroke={s.color}
              strokeWidth={1.6}
              connectNulls={false}
              isAnimationActive={false}
              // A lone point between gaps has no line to draw: show it as a dot.
              dot={(d: { cx?: number; cy?: number; index?: number }) =>
                d.cx !== undefined && d.cy !== undefined && isIsolated(data.rows, d.index ?? -1, s.key) ? (
                  <circle key={`${s.key}-${d.index}`} cx={d.cx} cy={d.cy} r={2.5} fill={s.color} />
                ) : (
                  <g key={`${s.key}-${d.index}`} />
                )
              }
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
