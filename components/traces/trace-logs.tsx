"use client";
import Link from "next/link";
import type { LogLine } from "@/lib/log-types";
import { LogRow } from "../logs/log-row";

/** A trace's log lines by the span that wrote them (each group in time order); lines without a span of this trace under "". */
export function groupLogsBySpan(logs: LogLine[], spanIds: Set<string>): Map<string, LogLine[]> {
  const out = new Map<string, LogLine[]>();
  for (const l of logs) {
    const key = l.spanId && spanIds.has(l.spanId) ? l.spanId : "";
    const list = out.get(key);
    if (list) list.push(l);
    else out.set(key, [l]);
  }
  return out;
}

/** The lines one span wrote, shown under its waterfall row. */
export function SpanLogs({ lines, rangeQuery }: { lines: LogLine[] | undefined; rangeQuery: string }) {
  if (!lines?.length) return null;
  return (
    <div className="wf-logs" data-testid="span-logs">
      {lines.map((l, i) => (
        <LogRow key={i} line={l} rangeQuery={rangeQuery} showService={false} />
      ))}
    </div>
  );
}

/** Every line of the trace in time order, with the service that wrote it. */
export function TraceLogList({
  logs,
  rangeQuery,
  traceId,
  startMs,
  endMs,
}: {
  logs: LogLine[];
  rangeQuery: string;
  traceId: string;
  startMs: number;
  endMs: number;
}) {
  // The Logs page opens on a window around the trace (5 min either side), filtered to it.
  const href = `/logs?traceId=${traceId}&from=${startMs - 300_000}&to=${endMs + 300_000}`;
  return (
    <section className="panel log-list" data-testid="trace-logs">
      <div className="row">
        <h2>Logs ({logs.length})</h2>
        <span className="spacer" />
        <Link className="btn small" href={href} data-testid="trace-logs-link">
          Open in Logs
        </Link>
      </div>
      {logs.length === 0 && <p className="muted">No log lines carry this trace id.</p>}
      {logs.map((l, i) => (
        <LogRow key={i} line={l} rangeQuery={rangeQuery} />
      ))}
    </section>
  );
}
