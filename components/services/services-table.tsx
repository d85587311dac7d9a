"use client";
import { NO_ENVIRONMENT } from "@/lib/node-id";
import Link from "next/link";
import { useState } from "react";
import type { ServiceSummary } from "@/lib/api-types";
import { formatCount, formatMs, formatPercent, formatRate } from "@/lib/format";
import { HealthBadge } from "../ui/status";
import { useRangeQuery } from "../ui/use-time-range";
import type { ServiceSortKey } from "./prepare-services-table";
import { ServiceSparkline } from "./service-sparkline";

const COLUMNS: Array<{ key: ServiceSortKey; label: string; num?: boolean }> = [
  { key: "name", label: "Service" },
  { key: "namespace", label: "Namespace" },
  { key: "environment", label: "Environment" },
  { key: "health", label: "Health" },
  { key: "requests", label: "Requests", num: true },
  { key: "rps", label: "Rate", num: true },
  { key: "errorRate", label: "Error rate", num: true },
  { key: "p95Ms", label: "p95", num: true },
];

const PAGE = 100;

/** Sortable services table; sparklines load per visible row (the first PAGE rows, more on demand). */
export function ServicesTable({
  rows,
  sort,
  onSort,
}: {
  rows: ServiceSummary[];
  sort: { key: ServiceSortKey; dir: "asc" | "desc" };
  onSort: (key: ServiceSortKey) => void;
}) {
  const rangeQuery = useRangeQuery();
  const [limit, setLimit] = useState(PAGE);
  return (
    <div className="panel table-scroll">
      <table className="data" data-testid="services-table">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th
                key={c.key}
                className={`sortable${c.num ? " num" : ""}`}
                onClick={() => onSort(c.key)}
                aria-sort={sort.key === c.key ? (sort.dir === "asc" ? "ascending" : "descending") : "none"}
              >
                {c.label}
                {sort.key === c.key ? (sort.dir === "asc" ? " ▲" : " ▼") : ""}
              </th>
            ))}
            <th>Requests over time</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, limit).map((s) => (
            <tr key={`${s.name}\u0000${s.environment ?? ""}`} data-service={s.name}>
              <td className="wrap">
                <Link href={`/services/${encodeURIComponent(s.name)}?${withEnv(rangeQuery, s.environment)}`}>
                  {s.name}
                </Link>
              </td>
              <td className="muted">{s.namespace || "—"}</td>
              <td className="muted">{s.environment || "—"}</td>
              <td>
                <HealthBadge health={s.health} />
              </td>
              <td className="num" data-col="requests">
                {formatCount(s.requests)}
              </td>
              <td className="num">{formatRate(s.rps)}</td>
              <td className="num" data-col="errorRate">
                {formatPercent(s.errorRate)}
              </td>
              <td className="num" data-col="p95">
                {formatMs(s.p95Ms)}
              </td>
              <td>
                <ServiceSparkline name={s.name} environment={s.environment || NO_ENVIRONMENT} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > limit && (
        <button type="button" className="btn" onClick={() => setLimit(limit + PAGE)}>
          Show {Math.min(PAGE, rows.length - limit)} more of {rows.length - limit}
        </button>
      )}
    </div>
  );
}

/** A link query naming the row's own environment (the view may show all of them). */
function withEnv(query: string, environment: string | null | undefined): string {
  const q = new URLSearchParams(query);
  q.set("env", environment || NO_ENVIRONMENT);
  return q.toString();
}
