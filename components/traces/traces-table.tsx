"use client";
import Link from "next/link";
import type { TraceSummary } from "@/lib/api-types";
import { colorForName, formatMs } from "@/lib/format";
import { useRangeQuery } from "../ui/use-time-range";
import { toEpochMs } from "./prepare-trace-scatter";

/** Trace search results; names are rendered as text (React escapes them). */
export function TracesTable({ traces, testId = "traces-table" }: { traces: TraceSummary[]; testId?: string }) {
  const rangeQuery = useRangeQuery();
  if (traces.length === 0) return <p className="muted">No traces match.</p>;
  return (
    <div className="table-scroll">
      <table className="data" data-testid={testId}>
        <thead>
          <tr>
            <th>Start</th>
            <th>Root</th>
            <th className="num">Duration</th>
            <th className="num">Spans</th>
            <th className="num">Errors</th>
            <th>Services</th>
            <th>Trace id</th>
          </tr>
        </thead>
        <tbody>
          {traces.map((t) => (
            <tr key={t.traceId} data-trace-id={t.traceId}>
              <td className="muted">{new Date(toEpochMs(t.startTime)).toLocaleTimeString()}</td>
              <td className="wrap">
                <Link href={`/traces/${encodeURIComponent(t.traceId)}?${rangeQuery}`}>
                  <span className="svc-dot" style={{ background: colorForName(t.rootService ?? "") }} aria-hidden />
                  {t.rootService ?? "(root not stored)"}: {t.rootOperation ?? "?"}
                </Link>
              </td>
              <td className="num">{formatMs(t.durationMs)}</td>
              <td className="num">{t.spanCount}</td>
              <td className="num">{t.errorCount > 0 ? <span className="badge error">{t.errorCount}</span> : 0}</td>
              <td className="wrap muted">{t.services.join(", ")}</td>
              <td className="mono muted">{t.traceId.slice(0, 16)}…</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
