"use client";
import Link from "next/link";
import { ErrorBox, Loading } from "../ui/status";
import { inEnvironment } from "../ui/choose-environment";
import { useEnvironment } from "../ui/use-environment";
import { NO_ENVIRONMENT, serviceNodeId } from "@/lib/node-id";
import { useAlertHistory, useAlertRules, useAlerts, useDeleteRule, useSaveRule } from "./use-alerting";
import type { AlertInstance, Rule } from "./types";

/** Firing / pending alerts, the rule list and history. Telemetry strings render as text only. */
const fmtValue = (v: number | null) =>
  v === null ? "n/a" : Math.abs(v) >= 100 ? v.toFixed(1) : Number(v.toPrecision(3)).toString();
const fmtTime = (s: string | null) => (s ? new Date(s).toLocaleString() : "");
const safeHref = (u: string | undefined) => (u && /^https?:\/\//i.test(u) ? u : undefined);

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge alert-state alert-state-${state}`}>{state}</span>;
}

function Labels({ labels }: { labels: Record<string, string> }) {
  return (
    <span className="alert-labels">
      {Object.entries(labels)
        .filter(([k]) => k !== "alertname")
        .map(([k, v]) => (
          <span key={k} className="badge">
            {k}={v}
          </span>
        ))}
    </span>
  );
}

export function AlertsList() {
  const q = useAlerts();
  const env = useEnvironment();
  if (q.isLoading) return <Loading what="alerts" />;
  if (q.error) return <ErrorBox error={q.error} />;
  // Series carry an `environment` label when their service has one; the top bar's choice filters them.
  const alerts = (q.data?.alerts ?? []).filter((a: AlertInstance) => inEnvironment(a.labels.environment, env.choice));
  if (alerts.length === 0)
    return <div className="muted">No active alerts{env.environment ? " in this environment" : ""}.</div>;
  return (
    <table className="data" data-testid="alerts-table">
      <thead>
        <tr>
          <th>State</th>
          <th>Alert</th>
          <th>Labels</th>
          <th>Value</th>
          <th>Since</th>
          <th>Links</th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((a: AlertInstance) => (
          <tr key={a.id}>
            <td>
              <StateBadge state={a.state} />
              {a.silencedBy.length > 0 && <span className="badge">silenced</span>}
            </td>
            <td>
              <Link href={`/alerts?tab=rules&rule=${encodeURIComponent(a.ruleId)}`}>{a.ruleName}</Link>
              {a.reason && <div className="muted">{a.reason}</div>}
              {a.annotations.summary && <div className="muted">{a.annotations.summary}</div>}
            </td>
            <td>
              <Labels labels={a.labels} />
            </td>
            <td>{fmtValue(a.value)}</td>
            <td>{fmtTime(a.firedAt ?? a.activeAt ?? a.resolvedAt)}</td>
            <td>
              <span className="row">
                {a.labels.service && <Link href={`/services/${encodeURIComponent(a.labels.service)}`}>service</Link>}
                {a.labels.service && (
                  <Link
                    href={`/map?focus=${encodeURIComponent(serviceNodeId(a.labels.service, a.labels.environment))}&env=${encodeURIComponent(a.labels.environment || NO_ENVIRONMENT)}`}
                  >
                    map
                  </Link>
                )}
                {safeHref(a.annotations.traces_url) && <a href={safeHref(a.annotations.traces_url)}>traces</a>}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function describe(r: Rule): string {
  if (r.type === "service" || r.type === "operation" || r.type === "edge")
    return `${r.signal} ${r.op} ${r.threshold} over ${r.windowSeconds}s`;
  if (r.type === "metric") return `${r.metric} ${r.aggregation ?? "(default)"} ${r.op} ${r.threshold}`;
  if (r.type === "coupling") return `finding ≥ ${r.minSeverity}`;
  if (r.type === "new-edge") return `edge not seen in the previous ${r.baselineSeconds}s`;
  if (r.type === "logs")
    return `log lines ≥ ${r.minSeverity}${r.text ? ` matching "${r.text}"` : ""} ${r.op} ${r.threshold} in ${r.windowSeconds}s`;
  return `no data from ${r.service}`;
}

export function RulesList({ onEdit }: { onEdit: (r: Rule) => void }) {
  const q = useAlertRules();
  const del = useDeleteRule();
  const save = useSaveRule();
  if (q.isLoading) return <Loading what="rules" />;
  if (q.error) return <ErrorBox error={q.error} />;
  const rules = q.data?.rules ?? [];
  if (rules.length === 0) return <div className="muted">No alert rules yet.</div>;
  const toggle = (r: Rule) => {
    const { id, createdAt, updatedAt, health, counts, ...body } = r;
    save.mutate({ id, body: { ...body, enabled: !r.enabled } });
  };
  return (
    <table className="data" data-testid="rules-table">
      <thead>
        <tr>
          <th>Rule</th>
          <th>Type</th>
          <th>Condition</th>
          <th>Health</th>
          <th>Pending / firing</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {rules.map((r) => (
          <tr key={r.id} className={r.enabled ? "" : "alert-rule-disabled"}>
            <td>
              {r.name}
              {!r.enabled && <span className="badge">disabled</span>}
            </td>
            <td>{r.type}</td>
            <td>
              {describe(r)}
              {r.for ? `, for ${r.for}s` : ""}
            </td>
            <td>
              {r.health ? (
                <span title={r.health.reason}>
                  <StateBadge state={r.health.health} />
                </span>
              ) : (
                <span className="muted">not evaluated</span>
              )}
            </td>
            <td>
              {r.counts.pending} / {r.counts.firing}
            </td>
            <td>
              <span className="row">
                <button className="btn" onClick={() => onEdit(r)}>
                  Edit
                </button>
                <button className="btn" onClick={() => toggle(r)}>
                  {r.enabled ? "Disable" : "Enable"}
                </button>
                <button className="btn" onClick={() => confirm(`Delete rule ${r.name}?`) && del.mutate(r.id)}>
                  Delete
                </button>
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AlertHistory({ ruleId }: { ruleId?: string }) {
  const q = useAlertHistory(ruleId);
  if (q.isLoading) return <Loading what="history" />;
  if (q.error) return <ErrorBox error={q.error} />;
  const rows = q.data?.history ?? [];
  if (rows.length === 0) return <div className="muted">No transitions in the last 24 hours.</div>;
  return (
    <table className="data" data-testid="history-table">
      <thead>
        <tr>
          <th>Time</th>
          <th>Rule</th>
          <th>Transition</th>
          <th>Labels</th>
          <th>Value</th>
          <th>Reason</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((h) => (
          <tr key={h.id}>
            <td>{fmtTime(h.at)}</td>
            <td>{h.ruleName}</td>
            <td>
              <StateBadge state={h.from} /> → <StateBadge state={h.to} />
            </td>
            <td>
              <Labels labels={h.labels} />
            </td>
            <td>{fmtValue(h.value)}</td>
            <td className="muted">{h.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
