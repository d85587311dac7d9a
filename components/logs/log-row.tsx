"use client";
import Link from "next/link";
import { useState } from "react";
import { formatLogBody, nanosToMs, severityRangeOf, type LogLine } from "@/lib/log-types";
import { SEVERITY_COLORS } from "./prepare-log-histogram";

function Fields({ title, values }: { title: string; values: Record<string, unknown> }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return null;
  return (
    <div>
      <p className="chart-title">{title}</p>
      <table className="kv">
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k}>
              <th className="mono">{k}</th>
              <td className="mono">{typeof v === "string" ? v : JSON.stringify(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * One log line: time, severity, service, the body's first line; a click expands every field.
 * Everything is rendered as text nodes (a body holding HTML shows as the characters it is).
 */
export function LogRow({
  line,
  rangeQuery,
  showService = true,
}: {
  line: LogLine;
  rangeQuery: string;
  showService?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const sev = severityRangeOf(line.severityNumber);
  const text = formatLogBody(line.body);
  const firstLine = text.split("\n", 1)[0]!;
  const ms = nanosToMs(line.timeUnixNano);
  return (
    <div className={open ? "log-row open" : "log-row"} data-testid="log-row" data-severity={sev}>
      <button type="button" className="log-summary" onClick={() => setOpen(!open)} aria-expanded={open}>
        <span className="log-time mono" title={line.timeUnixNano}>
          {new Date(ms).toLocaleTimeString(undefined, { hour12: false })}.{String(ms % 1000).padStart(3, "0")}
        </span>
        <span className="log-sev" style={{ color: SEVERITY_COLORS[sev], borderColor: SEVERITY_COLORS[sev] }}>
          {line.severityText || sev}
        </span>
        {showService && <span className="log-svc">{line.service}</span>}
        <span className="log-body mono" data-testid="log-body">
          {firstLine}
          {text.length > firstLine.length ? " …" : ""}
        </span>
      </button>
      {line.traceId && (
        <Link
          className="log-trace mono"
          data-testid="log-trace-link"
          href={`/traces/${line.traceId}?${rangeQuery}${line.spanId ? `&span=${line.spanId}` : ""}`}
          title="Open the trace"
        >
          trace {line.traceId.slice(0, 8)}
        </Link>
      )}
      {open && (
        <div className="log-detail" data-testid="log-detail">
          <pre className="log-full mono">{text}</pre>
          <Fields
            title="Record"
            values={{
              timeUnixNano: line.timeUnixNano,
              observedTimeUnixNano: line.observedTimeUnixNano,
              severityNumber: line.severityNumber,
              severityText: line.severityText,
              service: line.service,
              ...(line.traceId ? { traceId: line.traceId } : {}),
              ...(line.spanId ? { spanId: line.spanId } : {}),
              ...(line.scope?.name ? { scope: `${line.scope.name} ${line.scope.version}`.trim() } : {}),
            }}
          />
          <Fields title="Attributes" values={line.attributes} />
          <Fields title="Resource" values={line.resource} />
        </div>
      )}
    </div>
  );
}
