"use client";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatPercent } from "@/lib/format";
import { RED_COLORS, computeTimeTicks, formatTimeTick, isIsolated, type RedSeries } from "./prepare-red-series";

export interface LineSpec {
  key: "rps" | "errorsPerSec" | "p50" | "p95" | "p99" | "errorRate";
  name: string;
  color: string;
}

/** A dumb line chart over prepared rows; nulls stay gaps (connectNulls=false). */
export function SeriesChart({
  series,
  lines,
  unit,
  title,
}: {
  series: RedSeries;
  lines: LineSpec[];
  unit: string;
  title: string;
}) {
  const span = series.domain[1] - series.domain[0];
  const fmt = (v: number) => (unit === "%" ? formatPercent(v) : `${Number(v.toPrecision(3))}${unit ? ` ${unit}` : ""}`);
  // Axis ticks stay short (the unit is in the title); the tooltip carries the unit.
  const tick = (v: number) => (unit === "%" ? formatPercent(v) : String(Number(v.toPrecision(2))));
  return (
    <div>
      <p className="chart-title">{title}</p>
      <div className="chart-box">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={series.rows} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--grid)" vertical={false} />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={series.domain}
              ticks={computeTimeTicks(series.domain)}
              tickFormatter={(t: number) => formatTimeTick(t, span)}
              stroke="var(--muted)"
              fontSize={11}
            />
            <YAxis stroke="var(--muted)" fontSize={11} width={50} tickFormatter={tick} />
            <Tooltip
              labelFormatter={(t) => new Date(Number(t)).toLocaleString()}
              formatter={(v) => (typeof v === "number" ? fmt(v) : "no data")}
              contentStyle={{ background: "var(--bg-elev)", border: "1px solid var(--border)", fontSize: 12 }}
            />
            {lines.length > 1 && <Legend wrapperStyle={{ fontSize: 12 }} />}
            {lines.map((l) => (
              <Line
                key={l.key}
                dataKey={l.key}
                name={l.name}
                stroke={l.color}
                dot={(d: { cx?: number; cy?: number; index?: number }) =>
                  d.cx !== undefined && d.cy !== undefined && isIsolated(series.rows as never, d.index ?? -1, l.key) ? (
                    <circle key={`${l.key}-${d.index}`} cx={d.cx} cy={d.cy} r={2} fill={l.color} />
                  ) : (
                    <g key={`${l.key}-${d.index}`} />
                  )
                }
                strokeWidth={1.6}
                connectNulls={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}

/** Requests, errors and latency percentiles (RED) for prepared rows. */
export function RedCharts({ series, compact = false }: { series: RedSeries; compact?: boolean }) {
  const latency: LineSpec[] = [
    { key: "p50", name: "p50", color: RED_COLORS.p50 },
    { key: "p95", name: "p95", color: RED_COLORS.p95 },
    { key: "p99", name: "p99", color: RED_COLORS.p99 },
  ];
  return (
    <div className={compact ? "stack" : "grid-3"} data-testid="red-charts">
      <SeriesChart
        series={series}
        title="Requests (/s)"
        unit="/s"
        lines={[{ key: "rps", name: "req/s", color: RED_COLORS.requests }]}
      />
      <SeriesChart
        series={series}
        title="Errors (/s)"
        unit="/s"
        lines={[{ key: "errorsPerSec", name: "errors/s", color: RED_COLORS.errors }]}
      />
      <SeriesChart
        series={series}
        title={`Latency (${series.latencyUnit})`}
        unit={series.latencyUnit}
        lines={latency}
      />
    </div>
  );
}
