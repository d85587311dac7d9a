"use client";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { LogHistogramResponse } from "@/lib/log-types";
import { computeTimeTicks, formatTimeTick } from "../charts/prepare-red-series";
import { prepareLogHistogram, SEVERITY_COLORS, type HistogramRow } from "./prepare-log-histogram";

/** Count of lines per step, stacked by severity; clicking a bar zooms the time range to it. */
export function LogHistogram({
  data,
  onZoom,
}: {
  data: LogHistogramResponse;
  onZoom: (fromMs: number, toMs: number) => void;
}) {
  const { rows, ranges } = prepareLogHistogram(data);
  const domain: [number, number] = rows.length ? [rows[0]!.t, rows[rows.length - 1]!.endMs] : [0, 1];
  const span = domain[1] - domain[0];
  const total = rows.reduce((s, r) => s + r.total, 0);
  return (
    <div data-testid="log-histogram">
      <p className="chart-title">
        {data.approximate ? (
          <span data-testid="log-histogram-approximate" title="counted from a sample of the matching lines">
            ≈ {total.toLocaleString()} lines (estimated from a sample)
          </span>
        ) : (
          <>{total.toLocaleString()} lines</>
        )}{" "}
        · click a bar to zoom
      </p>
      <div className="chart-box log-histogram">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart
            data={rows}
            margin={{ top: 4, right: 12, bottom: 0, left: 0 }}
            onClick={(e) => {
              // A click anywhere in a step's column (not only on its bar) zooms to that step.
              const label = e?.activeLabel ?? null;
              const row = label !== null ? rows.find((r) => r.t === Number(label)) : undefined;
              if (row && row.total > 0) onZoom(row.t, row.endMs);
            }}
          >
            <CartesianGrid stroke="var(--grid)" vertical={false} />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={domain}
              ticks={computeTimeTicks(domain)}
              tickFormatter={(t: number) => formatTimeTick(t, span)}
              stroke="var(--muted)"
              fontSize={11}
            />
            <YAxis stroke="var(--muted)" fontSize={11} width={44} allowDecimals={false} />
            <Tooltip
              labelFormatter={(t) => new Date(Number(t)).toLocaleString()}
              contentStyle={{ background: "var(--bg-elev)", border: "1px solid var(--border)", fontSize: 12 }}
              cursor={{ fill: "var(--grid)" }}
            />
            {ranges.map((r) => (
              <Bar
                key={r}
                dataKey={r}
                stackId="s"
                fill={SEVERITY_COLORS[r]}
                isAnimationActive={false}
                style={{ cursor: "zoom-in" }}
                onClick={(d: { payload?: HistogramRow }) => d.payload && onZoom(d.payload.t, d.payload.endMs)}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}
