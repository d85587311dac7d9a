"use client";
import type { Completeness } from "@/lib/api-types";
import { formatPercent } from "@/lib/format";
import { computeCompleteness } from "./prepare-map";

/** How much of the observed traffic the map could pair client↔server; the rest is estimated or missing. */
export function CompletenessBadge({ completeness }: { completeness?: Completeness }) {
  const ratio = computeCompleteness(completeness);
  if (ratio === null || !completeness)
    return (
      <span className="badge" data-testid="completeness">
        completeness: n/a
      </span>
    );
  const cls = ratio >= 0.98 ? "badge good" : ratio >= 0.9 ? "badge warn" : "badge error";
  const title =
    `${completeness.pairedCalls} paired calls, ${completeness.unpairedClientSpans} client spans without a server span ` +
    `(uninstrumented callees or late data), ${completeness.expired} expired, ${completeness.dropped} dropped`;
  return (
    <span className={cls} title={title} data-testid="completeness">
      {formatPercent(ratio)} paired
    </span>
  );
}
