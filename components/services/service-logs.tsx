"use client";
import Link from "next/link";
import { Bar, BarChart, ResponsiveContainer, Tooltip, XAxis } from "recharts";
import { useLogHistogram, useLogs } from "../api/use-logs";
import { LogRow } from "../logs/log-row";
import { SEVERITY_COLORS } from "../logs/prepare-log-histogram";
import { ErrorBox, Loading } from "../ui/status";
import { useRangeQuery } from "../ui/use-time-range";

/** The service's error-log rate (error and fatal lines per minute) over the range and its latest error lines. */
export function ServiceLogs({ service }: { service: string }) {
  const rangeQuery = useRangeQuery();
  const filters = { service, minSeverity: "error" };
  const histogram = useLogHistogram(filters);
  const latest = useLogs(filters, false);
  const lines = (latest.data?.pages[0]?.logs ?? []).slice(0, 8);
  const buckets = histogram.data?.buckets ?? [];
  const total = buckets.reduce((s, b) => s + b.total, 0);
  const minutes = (buckets.length * (histogram.data?.stepSeconds ?? 60)) / 60;
  const rows = buckets.map((b) => ({ t: b.t, perMin: b.total / ((histogram.data?.stepSeconds ?? 60) / 60) }));
  return (
    <section className="panel" data-testid="service-logs">
      <div className="row">
        <h2>Error logs</h2>
        <span className="badge" data-testid="error-log-rate">
          {minutes > 0 ? `${(total / minutes).toPrecision(3)} / min` : "–"}
        </span>
        <span className="badge">{total} lines</span>
        <span className="spacer" />
        <Link className="btn small" href={`/logs?service=${encodeURIComponent(service)}&${rangeQuery}`}>
          All logs
        </Link>
        <Link
          className="btn small"
          href={`/logs?service=${encodeURIComponent(service)}&minSeverity=error&${rangeQuery}`}
        >
          Error logs
        </Link>
      </div>
      {histogram.isError && <ErrorBox error={histogram.error} />}
      {total > 0 && (
        <div className="chart-box" style={{ height: 80 }}>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={rows} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
              <XAxis dataKey="t" hide />
              <Tooltip
                labelFormatter={(t) => new Date(Number(t)).toLocaleString()}
                formatter={(v) => [`${Number(v).toPrecision(3)} / min`, "error lines"]}
                contentStyle={{ background: "var(--bg-elev)", border: "1px solid var(--border)", fontSize: 12 }}
              />
              <Bar dataKey="perMin" fill={SEVERITY_COLORS.error} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
      {latest.isLoading && <Loading what="error logs" />}
      {latest.data && lines.length === 0 && <p className="muted">No error lines in this range.</p>}
      <div className="log-list">
        {lines.map((l, i) => (
          <LogRow key={i} line={l} rangeQuery={rangeQuery} showService={false} />
        ))}
      </div>
    </section>
  );
}
