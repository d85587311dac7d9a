"use client";
import { Line, LineChart, YAxis } from "recharts";

/** A tiny request-rate line; gaps stay gaps. Fixed size so 300 rows stay cheap. */
export function Sparkline({
  data,
  color = "var(--accent)",
}: {
  data: Array<{ t: number; v: number | null }>;
  color?: string;
}) {
  return (
    <LineChart width={120} height={28} data={data} margin={{ top: 2, right: 2, bottom: 2, left: 2 }}>
      <YAxis hide domain={[0, "auto"]} />
      <Line dataKey="v" stroke={color} dot={false} strokeWidth={1.4} connectNulls={false} isAnimationActive={false} />
    </LineChart>
  );
}
