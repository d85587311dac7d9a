"use client";
import Link from "next/link";
import { useMemo } from "react";
import { ErrorBox, Loading } from "../ui/status";
import { useUrlParams } from "../ui/use-url-params";
import { focusNodeOf } from "./map-overlay";
import { RULES, type Finding } from "./types";
import { useViolations } from "./use-violations";

/**
 * The findings list with rule / severity / service filters kept in the URL. Every string
 * here comes from telemetry (service names, messages), so it is rendered as text only.
 */
export function FindingsView() {
  const { get, setParams } = useUrlParams();
  const q = useViolations();
  const rule = get("rule");
  const severity = get("severity");
  const service = get("service");
  const all = useMemo(() => q.data?.violations ?? [], [q.data]);
  const services = useMemo(() => [...new Set(all.flatMap((f) => f.services))].sort(), [all]);
  const shown = all.filter(
    (f) =>
      (!rule || f.rule === rule) &&
      (!severity || f.severity === severity) &&
      (!service || f.services.includes(service)),
  );
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const f of all) counts[f.severity]++;

  return (
    <div className="stack coupling-findings">
      <div className="filters">
        <label>
          Rule
          <select value={rule} onChange={(e) => setParams({ rule: e.target.value })} data-testid="filter-rule">
            <option value="">all</option>
            {RULES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Severity
          <select
            value={severity}
            onChange={(e) => setParams({ severity: e.target.value })}
            data-testid="filter-severity"
          >
            <option value="">all</option>
            <option value="critical">critical</option>
            <option value="warning">warning</option>
            <option value="info">info</option>
          </select>
        </label>
        <label>
          Service
          <select value={service} onChange={(e) => setParams({ service: e.target.value })} data-testid="filter-service">
            <option value="">all</option>
            {services.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <span className="spacer" />
        <span className="badge finding-sev-critical">{counts.critical} critical</span>
        <span className="badge finding-sev-warning">{counts.warning} warning</span>
        <span className="badge finding-sev-info">{counts.info} info</span>
        <Link className="btn" href="/findings/policy">
          Edit policy
        </Link>
      </div>
      {q.error ? <ErrorBox error={q.error} /> : null}
      {q.isLoading ? <Loading what="findings" /> : null}
      {q.data?.sampled ? (
        <p className="muted">
          Traces were sampled for this window ({q.data.tracesScanned} of {q.data.tracesTotal}).
        </p>
      ) : null}
      {q.data && !q.data.policy.valid ? (
        <p className="error-box">
          The stored architecture policy has errors; defaults apply. <Link href="/findings/policy">Fix it</Link>.
        </p>
      ) : null}
      {q.data && shown.length === 0 ? (
        <div className="empty-state" data-testid="no-findings">
          {all.length === 0 ? "No coupling findings in this window." : "No finding matches these filters."}
        </div>
      ) : null}
      <ul className="finding-list" data-testid="findings">
        {shown.map((f) => (
          <FindingCard key={f.id} finding={f} />
        ))}
      </ul>
      {q.data && q.data.suppressed.length > 0 ? (
        <details className="panel">
          <summary>{q.data.suppressed.length} suppressed by the policy</summary>
          <ul>
            {q.data.suppressed.map((s) => (
              <li key={s.id}>
                <span className="mono">{s.id}</span>: {s.reason} (until {s.expires.slice(0, 10)})
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}

function FindingCard({ finding: f }: { finding: Finding }) {
  const focus = focusNodeOf(f);
  return (
    <li className={`panel finding finding-${f.severity}`} data-testid="finding" data-rule={f.rule}>
      <div className="row">
        <span className={`badge finding-sev-${f.severity}`}>{f.severity}</span>
        <span className="badge">{f.rule}</span>
        <strong className="finding-title">{f.title}</strong>
      </div>
      <p className="finding-message">{f.message}</p>
      <div className="row finding-meta">
        <span className="muted">Services:</span>
        {f.services.map((s) => (
          <Link key={s} href={`/map?focus=${encodeURIComponent(`service:${s}`)}`} className="finding-service">
            {s}
          </Link>
        ))}
      </div>
      <div className="row finding-meta">
        <span className="muted">
          {f.evidence.calls} calls · first seen {f.firstSeen} · last seen {f.lastSeen}
        </span>
        <span className="spacer" />
        {focus ? (
          <Link href={`/map?focus=${encodeURIComponent(focus)}`} data-testid="finding-map-link">
            Show on map
          </Link>
        ) : null}
        {f.evidence.traceIds.slice(0, 3).map((t) => (
          <Link key={t} href={`/traces/${encodeURIComponent(t)}`} className="mono" data-testid="finding-trace-link">
            {t.slice(0, 8)}…
          </Link>
        ))}
      </div>
    </li>
  );
}
