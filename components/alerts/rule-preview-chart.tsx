"use client";
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { preparePreview } from "./prepare-preview";
import type { Preview } from "./types";

const COLORS = [
  "#58a6ff",
  "#3fb950",
  "#d29922",
  "#bc8cff",
  "#ff7b72",
  "#39c5cf",
  "#e3b341",
  "#8b949e",
  "#f778ba",
  "#56d364",
];
const time = (t: number) => new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

/** The rule's query over the recent window with its threshold as a dashed line. */
export function RulePreviewChart({ preview, signal }: { preview: Preview; signal?: string }) {
  const chart = preparePreview(preview, signal);
  if (chart.rows.length === 0)
    return (
      <div className="muted alert-preview-empty">
        No data for this rule in the last hour{preview.current?.reason ? `: ${preview.current.reason}` : ""}.
      </div>
    );
  return (
    <div className="alert-preview" data-testid="rule-preview">
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={chart.rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
          <XAxis
            dataKey="t"
            type="number"
            domain={["dataMin", "dataMax"]}
            tickFormatter={time}
            stroke="var(--muted)"
            fontSize={11}
          />
          <YAxis stroke="var(--muted)" fontSize={11} unit={chart.unit === "%" ? "%" : ""} width={56} />
          <Tooltip
            labelFormatter={(t) => time(Number(t))}
            formatter={(v) => (typeof v === "number" ? `${v.toFixed(2)} ${chart.unit}` : "n/a")}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {chart.series.map((s, i) => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.label}
              stroke={COLORS[i % COLORS.length]}
              dot={false}
              isAnimationActive={false}
              connectNulls={false}
            />
          ))}
          {chart.threshold !== null && (
            <ReferenceLine
              y={chart.threshold}
              stroke="var(--critical)"
              strokeDasharray="6 4"
              label={{
                value: `threshold ${chart.threshold} ${chart.unit}`,
                fill: "var(--critical)",
                fontSize: 11,
                position: "insideTopRight",
              }}
            />
          )}
        </LineChart>
      </ResponsiveContainer>
      {preview.seriesTotal > chart.series.length && (
        <div className="muted">
          showing {chart.series.length} of {preview.seriesTotal} series (highest first)
        </div>
      )}
    </div>
  );
}
