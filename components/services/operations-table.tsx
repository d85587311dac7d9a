"use client";
import Link from "next/link";
import type { OperationSummary } from "@/lib/api-types";
import { formatCount, formatMs, formatPercent, formatRate } from "@/lib/format";
import { useRangeQuery } from "../ui/use-time-range";

/** Operations of one service, busiest first; each links to its traces. */
export function OperationsTable({ service, operations }: { service: string; operations: OperationSummary[] }) {
  const rangeQuery = useRangeQuery();
  const rows = [...operations].sort((a, b) => b.requests - a.requests);
  if (rows.length === 0) return <p className="muted">No operations served in this range.</p>;
  return (
    <div className="table-scroll">
      <table className="data" data-testid="operations-table">
        <thead>
          <tr>
            <th>Operation</th>
            <th>Kind</th>
            <th className="num">Requests</th>
            <th className="num">Rate</th>
            <th className="num">Error rate</th>
            <th className="num">p50</th>
            <th className="num">p95</th>
            <th className="num">p99</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((op) => (
            <tr key={op.name}>
              <td className="wrap">
                <Link
                  href={`/traces?service=${encodeURIComponent(service)}&operation=${encodeURIComponent(op.name)}&${rangeQuery}`}
                >
                  {op.name}
                </Link>
              </td>
              <td className="muted">{op.kind ?? "—"}</td>
              <td className="num">{formatCount(op.requests)}</td>
              <td className="num">{formatRate(op.rps)}</td>
              <td className="num">{formatPercent(op.errorRate)}</td>
              <td className="num">{formatMs(op.p50Ms)}</td>
              <td className="num">{formatMs(op.p95Ms)}</td>
              <td className="num">{formatMs(op.p99Ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
