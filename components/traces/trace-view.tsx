"use client";
import { useMemo, useState } from "react";
import { formatMs } from "@/lib/format";
import { useSearchParams } from "next/navigation";
import { useTrace } from "../api/use-trace";
import { useTraceLogs } from "../api/use-logs";
import { useRangeQuery } from "../ui/use-time-range";
import { groupLogsBySpan, SpanLogs, TraceLogList } from "./trace-logs";
import { ErrorBox, Loading } from "../ui/status";
import { findSpanMatches, prepareWaterfall, selectVisibleRows } from "./prepare-waterfall";
import { SpanDetails } from "./span-details";
import { WaterfallView } from "./waterfall";
import { TruncatedNote } from "./truncated-note";

/** /traces/[traceId]: waterfall with collapsible tree and critical path, and the selected span's details. */
export function TraceView({ traceId }: { traceId: string }) {
  const trace = useTrace(traceId);
  const spans = useMemo(() => trace.data?.pages.flatMap((p) => p.spans) ?? [], [trace.data]);
  const totalSpans = trace.data?.pages[0]?.totalSpans ?? 0;
  const wf = useMemo(() => prepareWaterfall(spans), [spans]);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [query, setQuery] = useState("");
  const [cursor, setCursor] = useState(0);
  // `span`: a log line's link opens its trace with the span that wrote it selected.
  const [selected, setSelected] = useState<string | null>(useSearchParams().get("span"));
  const logs = useTraceLogs(traceId);
  const rangeQuery = useRangeQuery();
  const bySpan = useMemo(
    () => groupLogsBySpan(logs.data?.logs ?? [], new Set(wf.rows.map((r) => r.span.spanId))),
    [logs.data, wf],
  );

  if (trace.isLoading) return <Loading what="trace" />;
  if (trace.isError) return <ErrorBox error={trace.error} />;
  // Searching shows every row (collapsed subtrees too) so no match is hidden.
  const matchIds = findSpanMatches(wf.rows, query);
  const rows = query.trim() ? wf.rows : selectVisibleRows(wf.rows, collapsed);
  const matchIndexes = rows.flatMap((r, i) => (matchIds.has(r.span.spanId) ? [i] : []));
  const current =
    matchIndexes.length > 0
      ? matchIndexes[((cursor % matchIndexes.length) + matchIndexes.length) % matchIndexes.length]!
      : null;
  const selectedIndex = selected ? rows.findIndex((r) => r.span.spanId === selected) : -1;
  const step = (d: number) => {
    const next = cursor + d;
    setCursor(next);
    const idx = matchIndexes[((next % matchIndexes.length) + matchIndexes.length) % matchIndexes.length];
    if (idx !== undefined) setSelected(rows[idx]!.span.spanId);
  };
  const selectedRow = wf.rows.find((r) => r.span.spanId === selected) ?? null;
  const errors = wf.rows.filter((r) => r.span.status?.code === "error").length;
  const toggle = (id: string) => {
    const next = new Set(collapsed);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setCollapsed(next);
  };

  return (
    <div className="trace-layout">
      <div className="page-header">
        <h1>
          Trace <span className="mono">{traceId}</span>
        </h1>
        <span className="badge" data-testid="span-count">
          {wf.rows.length < totalSpans ? `${wf.rows.length} of ${totalSpans} spans` : `${wf.rows.length} spans`}
        </span>
        <span className="badge">{formatMs(wf.totalMs)}</span>
        <span className="badge">{wf.services.length} services</span>
        {errors > 0 && <span className="badge error">{errors} errors</span>}
        {logs.data && logs.data.logs.length > 0 && (
          <span className="badge" data-testid="log-count">
            {logs.data.logs.length} log lines
          </span>
        )}
      </div>
      <div className="legend">
        {wf.services.map((s) => (
          <span key={s.name}>
            <span className="swatch" style={{ background: s.color }} />
            {s.name}
          </span>
        ))}
        <span>
          <span className="swatch" style={{ outline: "2px solid var(--text)" }} />
          critical path
        </span>
      </div>
      {trace.hasNextPage && (
        <TruncatedNote
          shown={wf.rows.length}
          total={totalSpans}
          loading={trace.isFetchingNextPage}
          onLoadMore={() => void trace.fetchNextPage()}
        />
      )}
      <section className="panel">
        <div className="trace-search">
          <input
            type="search"
            aria-label="Search in this trace"
            placeholder="Search spans: name, service, attribute value"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setCursor(0);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter") step(e.shiftKey ? -1 : 1);
            }}
          />
          {query.trim() && (
            <>
              <span className="muted" data-testid="trace-search-count" aria-live="polite">
                {matchIndexes.length === 0
                  ? trace.hasNextPage
                    ? `no match in the ${wf.rows.length.toLocaleString("en")} loaded spans`
                    : "no match"
                  : `${matchIndexes.indexOf(current ?? -1) + 1} of ${matchIndexes.length}`}
              </span>
              <button type="button" className="btn small" onClick={() => step(-1)} disabled={matchIndexes.length === 0}>
                Previous
              </button>
              <button type="button" className="btn small" onClick={() => step(1)} disabled={matchIndexes.length === 0}>
                Next
              </button>
            </>
          )}
          <span className="spacer" />
          <button
            type="button"
            className="btn small"
            onClick={() =>
              setCollapsed(new Set(wf.rows.filter((r) => r.hasChildren && r.depth >= 1).map((r) => r.span.spanId)))
            }
          >
            Collapse all
          </button>
          <button type="button" className="btn small" onClick={() => setCollapsed(new Set())}>
            Expand all
          </button>
        </div>
        <WaterfallView
          rows={rows}
          matches={matchIds}
          scrollTo={current ?? (selectedIndex >= 0 ? selectedIndex : null)}
          totalMs={wf.totalMs}
          collapsed={collapsed}
          selected={selected}
          onToggle={toggle}
          onSelect={setSelected}
          below={(id) => <SpanLogs key={`logs-${id}`} lines={bySpan.get(id)} rangeQuery={rangeQuery} />}
        />
      </section>
      {selectedRow ? (
        <SpanDetails span={selectedRow.span} edgeId={selectedRow.edgeId} traceStartNs={wf.traceStartNs} />
      ) : (
        <p className="muted">Click a span to see its attributes, events, links and resource.</p>
      )}
      {logs.isError && <ErrorBox error={logs.error} />}
      {logs.data && (
        <TraceLogList
          logs={logs.data.logs}
          rangeQuery={rangeQuery}
          traceId={traceId}
          startMs={Number(wf.traceStartNs / 1_000_000n)}
          endMs={Number(wf.traceStartNs / 1_000_000n) + Math.ceil(wf.totalMs)}
        />
      )}
    </div>
  );
}
