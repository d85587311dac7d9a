"use client";
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
      {lines.map((l, i) => <LogRow key={i} line={l} rangeQuery={rangeQuery} showService={false} />)}
    </div>
  );
}

/** Every line of the trace in time order, with the service that wrote it. */
export function TraceLogList({ logs, rangeQuery }: { logs: LogLine[]; rangeQuery: string }) {
  return (
    <section className="panel log-list" data-testid="trace-logs">
      <h2>Logs ({logs.length})</h2>
      {logs.length === 0 && <p className="muted">No log lines carry this trace id.</p>}
      {logs.map((l, i) => <LogRow key={i} line={l} rangeQuery={rangeQuery} />)}
    </section>
  );
}
