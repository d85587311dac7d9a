"use client";
import { useEffect, useState } from "react";
import { RulePreviewChart } from "./rule-preview-chart";
import { ApiRequestError } from "@/lib/api-client";
import { useChannels, useRulePreview, useSaveRule } from "./use-alerting";
import type { Rule, RuleBody } from "./types";
import {
  ALERT_RULE_TYPES,
  COMPARISONS,
  ERROR_POLICIES,
  LOG_SEVERITY_NAMES,
  NO_DATA_POLICIES,
  RED_SIGNALS,
  RULE_METRIC_AGGREGATIONS,
  SEVERITIES,
  type RuleType,
} from "@/lib/enums";
import {
  ERROR_LABELS,
  fromText,
  NEW_RULE,
  NO_DATA_LABELS,
  RED,
  SIGNAL_LABELS,
  toBody,
  toText,
  TYPE_LABELS,
} from "./rule-draft";

export function RuleEditor({ rule, onDone }: { rule: Rule | null; onDone: () => void }) {
  const [draft, setDraft] = useState<RuleBody>(() => (rule ? { ...NEW_RULE, ...rule } : NEW_RULE));
  const [labelsText, setLabelsText] = useState(toText(draft.labels));
  const [annotationsText, setAnnotationsText] = useState(toText(draft.annotations));
  const [debounced, setDebounced] = useState<RuleBody | null>(null);
  const save = useSaveRule();
  const channels = useChannels();
  const body = toBody({
    ...draft,
    labels: fromText(labelsText),
    annotations: fromText(annotationsText),
    name: draft.name || "preview",
  });
  const bodyKey = JSON.stringify(body);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(JSON.parse(bodyKey)), 500);
    return () => clearTimeout(t);
  }, [bodyKey]);
  const preview = useRulePreview(debounced);
  const fields = save.error instanceof ApiRequestError ? save.error.fields : [];
  const errorOf = (path: string) =>
    fields
      .filter((f) => f.path === path || f.path.startsWith(path + "."))
      .map((f) => f.message)
      .join("; ");
  const set = (patch: Partial<RuleBody>) => setDraft((d) => ({ ...d, ...patch }));
  const num = (v: string) => (v === "" ? undefined : Number(v));

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    save.mutate(
      {
        id: rule?.id,
        body: toBody({ ...draft, labels: fromText(labelsText), annotations: fromText(annotationsText) }),
      },
      { onSuccess: onDone },
    );
  };
  const Field = ({ path, label, children }: { path: string; label: string; children: React.ReactNode }) => (
    <label className="alert-field">
      <span>{label}</span>
      {children}
      {errorOf(path) && (
        <span className="form-error" data-testid={`error-${path}`}>
          {errorOf(path)}
        </span>
      )}
    </label>
  );

  return (
    <form className="panel alert-editor" onSubmit={submit} data-testid="rule-editor">
      <h2>{rule ? `Edit rule ${rule.name}` : "New alert rule"}</h2>
      <div className="alert-form-grid">
        {Field({
          path: "name",
          label: "Name",
          children: (
            <input value={draft.name} onChange={(e) => set({ name: e.target.value })} data-testid="rule-name" />
          ),
        })}
        {Field({
          path: "type",
          label: "Type",
          children: (
            <select
              value={draft.type}
              onChange={(e) => set({ type: e.target.value as RuleType })}
              data-testid="rule-type"
            >
              {ALERT_RULE_TYPES.map((t) => (
                <option key={t} value={t}>
                  {TYPE_LABELS[t]}
                </option>
              ))}
            </select>
          ),
        })}
        {(RED.has(draft.type) || draft.type === "metric" || draft.type === "no-data" || draft.type === "logs") &&
          draft.type !== "edge" &&
          Field({
            path: "service",
            label: "Service (* any, ~regex)",
            children: (
              <input
                value={draft.service ?? "*"}
                onChange={(e) => set({ service: e.target.value })}
                data-testid="rule-service"
              />
            ),
          })}
        {draft.type === "operation" &&
          Field({
            path: "operation",
            label: "Operation",
            children: <input value={draft.operation ?? "*"} onChange={(e) => set({ operation: e.target.value })} />,
          })}
        {(draft.type === "edge" || draft.type === "new-edge") && (
          <>
            {Field({
              path: "source",
              label: "Source (* any, ~regex)",
              children: <input value={draft.source ?? "*"} onChange={(e) => set({ source: e.target.value })} />,
            })}
            {Field({
              path: "target",
              label: "Target",
              children: <input value={draft.target ?? "*"} onChange={(e) => set({ target: e.target.value })} />,
            })}
          </>
        )}
        {draft.type === "metric" && (
          <>
            {Field({
              path: "metric",
              label: "Metric name",
              children: <input value={draft.metric ?? ""} onChange={(e) => set({ metric: e.target.value })} />,
            })}
            {Field({
              path: "aggregation",
              label: "Aggregation",
              children: (
                <select
                  value={draft.aggregation ?? ""}
                  onChange={(e) => set({ aggregation: e.target.value || undefined })}
                >
                  <option value="">by metric type</option>
                  {RULE_METRIC_AGGREGATIONS.map((a) => (
                    <option key={a}>{a}</option>
                  ))}
                </select>
              ),
            })}
          </>
        )}
        {RED.has(draft.type) &&
          Field({
            path: "signal",
            label: "Signal",
            children: (
              <select
                value={draft.signal}
                onChange={(e) => set({ signal: e.target.value as RuleBody["signal"] })}
                data-testid="rule-signal"
              >
                {RED_SIGNALS.map((s) => (
                  <option key={s} value={s}>
                    {SIGNAL_LABELS[s]}
                  </option>
                ))}
              </select>
            ),
          })}
        {draft.type === "logs" && (
          <>
            {Field({
              path: "minSeverity",
              label: "Lines at or above",
              children: (
                <select
                  value={String(draft.minSeverity ?? "error")}
                  onChange={(e) => set({ minSeverity: e.target.value })}
                  data-testid="rule-log-severity"
                >
                  {LOG_SEVERITY_NAMES.map((s) => (
                    <option key={s}>{s}</option>
                  ))}
                </select>
              ),
            })}
            {Field({
              path: "text",
              label: 'Text (whole words, "phrase", prefix*)',
              children: (
                <input
                  value={draft.text ?? ""}
                  onChange={(e) => set({ text: e.target.value })}
                  data-testid="rule-log-text"
                />
              ),
            })}
            {Field({
              path: "attributes",
              label: "Attributes (key=value a line)",
              children: (
                <textarea
                  rows={2}
                  value={toText(draft.attributes ?? {})}
                  onChange={(e) => set({ attributes: fromText(e.target.value) })}
                />
              ),
            })}
          </>
        )}
        {(RED.has(draft.type) || draft.type === "metric" || draft.type === "logs") && (
          <>
            {Field({
              path: "op",
              label: "Condition",
              children: (
                <select value={draft.op} onChange={(e) => set({ op: e.target.value as RuleBody["op"] })}>
                  {COMPARISONS.map((o) => (
                    <option key={o}>{o}</option>
                  ))}
                </select>
              ),
            })}
            {Field({
              path: "threshold",
              label: "Threshold",
              children: (
                <input
                  type="number"
                  step="any"
                  value={draft.threshold ?? ""}
                  onChange={(e) => set({ threshold: num(e.target.value) })}
                  data-testid="rule-threshold"
                />
              ),
            })}
            {Field({
              path: "forEach",
              label: "One alert per series",
              children: (
                <input
                  type="checkbox"
                  checked={draft.forEach ?? true}
                  onChange={(e) => set({ forEach: e.target.checked })}
                />
              ),
            })}
          </>
        )}
        {draft.type === "coupling" &&
          Field({
            path: "minSeverity",
            label: "Minimum severity",
            children: (
              <select
                value={draft.minSeverity ?? "warning"}
                onChange={(e) => set({ minSeverity: e.target.value as RuleBody["minSeverity"] })}
              >
                {SEVERITIES.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            ),
          })}
        {draft.type === "new-edge" &&
          Field({
            path: "baselineSeconds",
            label: "Baseline (s)",
            children: (
              <input
                type="number"
                value={draft.baselineSeconds ?? 86400}
                onChange={(e) => set({ baselineSeconds: num(e.target.value) })}
              />
            ),
          })}
        {Field({
          path: "windowSeconds",
          label: "Window (s)",
          children: (
            <input
              type="number"
              value={draft.windowSeconds}
              onChange={(e) => set({ windowSeconds: num(e.target.value) ?? 300 })}
            />
          ),
        })}
        {Field({
          path: "for",
          label: "Pending for (s)",
          children: <input type="number" value={draft.for} onChange={(e) => set({ for: num(e.target.value) ?? 0 })} />,
        })}
        {Field({
          path: "keepFiringFor",
          label: "Keep firing for (s)",
          children: (
            <input
              type="number"
              value={draft.keepFiringFor}
              onChange={(e) => set({ keepFiringFor: num(e.target.value) ?? 0 })}
            />
          ),
        })}
        {Field({
          path: "onNoData",
          label: "On no data",
          children: (
            <select value={draft.onNoData} onChange={(e) => set({ onNoData: e.target.value as RuleBody["onNoData"] })}>
              {NO_DATA_POLICIES.map((p) => (
                <option key={p} value={p}>
                  {NO_DATA_LABELS[p]}
                </option>
              ))}
            </select>
          ),
        })}
        {Field({
          path: "onError",
          label: "On error",
          children: (
            <select value={draft.onError} onChange={(e) => set({ onError: e.target.value as RuleBody["onError"] })}>
              {ERROR_POLICIES.map((p) => (
                <option key={p} value={p}>
                  {ERROR_LABELS[p]}
                </option>
              ))}
            </select>
          ),
        })}
      </div>
      <div className="alert-form-grid">
        {Field({
          path: "labels",
          label: "Labels (name=value per line)",
          children: <textarea rows={3} value={labelsText} onChange={(e) => setLabelsText(e.target.value)} />,
        })}
        {Field({
          path: "annotations",
          label: "Annotations ({{ $value }}, {{ $threshold }}, {{ $labels.service }}, {{ $links.service }})",
          children: <textarea rows={3} value={annotationsText} onChange={(e) => setAnnotationsText(e.target.value)} />,
        })}
      </div>
      <fieldset className="alert-channels">
        <legend>Notify</legend>
        {(channels.data?.channels ?? []).map((c) => (
          <label key={c.id} className="row">
            <input
              type="checkbox"
              checked={draft.channelIds.includes(c.id)}
              onChange={(e) =>
                set({
                  channelIds: e.target.checked
                    ? [...draft.channelIds, c.id]
                    : draft.channelIds.filter((x) => x !== c.id),
                })
              }
            />
            {c.name} <span className="muted">({c.type})</span>
          </label>
        ))}
        {channels.data?.channels.length === 0 && (
          <span className="muted">No notification channels yet (Channels tab).</span>
        )}
      </fieldset>
      <h3 className="chart-title">Preview (last hour)</h3>
      {preview.error ? (
        <div className="muted">Preview unavailable: {(preview.error as Error).message}</div>
      ) : preview.data ? (
        <RulePreviewChart preview={preview.data} signal={draft.signal} />
      ) : (
        <div className="loading">Loading preview…</div>
      )}
      {save.error && (
        <div className="error-box" role="alert">
          {(save.error as Error).message}
        </div>
      )}
      <div className="row">
        <button className="btn primary" type="submit" disabled={save.isPending} data-testid="rule-save">
          {rule ? "Save" : "Create rule"}
        </button>
        <button className="btn" type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
