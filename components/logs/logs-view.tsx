"use client";
import { useEffect, useRef } from "react";
import { useSearchParams } from "next/navigation";
import { isRelativeRange } from "@/lib/time-range";
import { formatLogBody, type LogLine } from "@/lib/log-types";
import { useLogHistogram, useLogs, type LogFilters } from "../api/use-logs";
import { useServices } from "../api/use-services";
import { ErrorBox, Loading } from "../ui/status";
import { useRangeQuery, useTimeRange } from "../ui/use-time-range";
import { LogHistogram } from "./log-histogram";
import { LogRow } from "./log-row";
import { LogSearchForm, readLogFilters } from "./log-search-form";

/** Writes the filters into the URL (repeated `attr`), keeping every other parameter. */
function writeFilters(f: LogFilters & { live?: string }): void {
  const q = new URLSearchParams(window.location.search);
  for (const k of ["service", "minSeverity", "q", "traceId", "live"] as const) {
    const v = f[k];
    if (v === undefined) continue;
    if (v) q.set(k, v);
    else q.delete(k);
  }
  if (f.attr) {
    q.delete("attr");
    for (const a of f.attr) q.append("attr", a);
  }
  window.history.pushState(null, "", `${window.location.pathname}?${q}`);
}

/**
 * React keys from the lines' content, not their position: the live tail adds lines at the
 * top, and a line the user expanded must stay expanded (and stay itself) as the list moves.
 */
function lineKeys(lines: readonly LogLine[]): string[] {
  const seen = new Map<string, number>();
  return lines.map((l) => {
    const base = `${l.timeUnixNano}|${l.service}|${l.traceId ?? ""}|${l.spanId ?? ""}|${l.severityNumber}|${formatLogBody(l.body).slice(0, 80)}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n ? `${base}#${n}` : base;
  });
}

/**
 * /logs: search (in the URL, shareable), count-by-severity histogram whose bars zoom the
 * range, newest lines first with infinite scroll, and a live tail that follows new lines.
 */
export function LogsView() {
  const params = useSearchParams();
  const filters = readLogFilters(params);
  const live = params.get("live") === "1";
  const { range, setRange } = useTimeRange();
  const rangeQuery = useRangeQuery();
  const logs = useLogs(filters, live);
  const histogram = useLogHistogram(filters, live);
  const services = useServices();
  const sentinel = useRef<HTMLDivElement>(null);
  const lines = logs.data?.pages.flatMap((p) => p.logs) ?? [];

  // Infinite scroll: the next page loads when the end of the list comes into view.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || live) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && logs.hasNextPage && !logs.isFetchingNextPage)
        void logs.fetchNextPage();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [logs, live]);

  const toggleLive = () => {
    if (!live && !isRelativeRange(range)) setRange({ from: "now-15m", to: "now" });
    writeFilters({ live: live ? "" : "1" });
    if (!live) window.scrollTo({ top: 0 });
  };

  return (
    <div className="stack">
      <LogSearchForm
        filters={filters}
        services={(services.data?.services ?? []).map((s) => s.name)}
        onSearch={(f) => writeFilters(f)}
      />
      <div className="row">
        <button
          type="button"
          className={live ? "btn live" : "btn"}
          onClick={toggleLive}
          aria-pressed={live}
          data-testid="live-tail"
        >
          {live && <span className="pulse" aria-hidden />} {live ? "Live tail on" : "Live tail"}
        </button>
        {live && <span className="muted">newest lines appear at the top every 2 s</span>}
      </div>
      <section className="panel">
        {histogram.isLoading && <Loading what="histogram" />}
        {histogram.isError && <ErrorBox error={histogram.error} />}
        {histogram.data && (
          <LogHistogram
            data={histogram.data}
            onZoom={(fromMs, toMs) => {
              writeFilters({ live: "" });
              setRange({ from: String(fromMs), to: String(toMs) });
            }}
          />
        )}
      </section>
      <section className="panel log-list" data-testid="log-list">
        {logs.isLoading && <Loading what="logs" />}
        {logs.isError && <ErrorBox error={logs.error} />}
        {logs.data && lines.length === 0 && <p className="muted">No log lines match in this range.</p>}
        {lineKeys(lines).map((key, i) => (
          <LogRow key={key} line={lines[i]!} rangeQuery={rangeQuery} />
        ))}
        <div ref={sentinel} />
        {logs.hasNextPage && !live && (
          <button
            type="button"
            className="btn small"
            disabled={logs.isFetchingNextPage}
            onClick={() => void logs.fetchNextPage()}
          >
            {logs.isFetchingNextPage ? "Loading…" : "Load older lines"}
          </button>
        )}
      </section>
    </div>
  );
}
