"use client";
import Link from "next/link";
import { useAlerts } from "./use-alerting";

/**
 * A small link to /alerts showing how many alerts fire (and how many are pending), for the
 * overview or the map toolbar. Optional `service` counts only that service's alerts.
 */
export function FiringAlertsBadge({ service }: { service?: string }) {
  const q = useAlerts("firing,pending");
  const alerts = (q.data?.alerts ?? []).filter(
    (a) => !service || a.labels.service === service || a.labels.source === service,
  );
  const firing = alerts.filter((a) => a.state === "firing").length;
  const pending = alerts.length - firing;
  return (
    <Link
      href="/alerts"
      className={`badge alert-badge ${firing ? "alert-badge-firing" : ""}`}
      data-testid="firing-alerts-badge"
      title="Alerts"
    >
      {q.isLoading ? "alerts…" : firing ? `${firing} firing` : "no alerts firing"}
      {pending > 0 && <span className="muted"> · {pending} pending</span>}
    </Link>
  );
}
