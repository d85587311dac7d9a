"use client";
import { useState } from "react";
import { useUrlParams } from "../ui/use-url-params";
import { AlertHistory, AlertsList, RulesList } from "./alert-views";
import { RuleEditor } from "./rule-editor";
import { ChannelsView, SilencesView } from "./silences-channels";
import { useAlertRules } from "./use-alerting";
import type { Rule } from "./types";

const TABS = [
  { id: "firing", label: "Firing" },
  { id: "rules", label: "Rules" },
  { id: "history", label: "History" },
  { id: "silences", label: "Silences" },
  { id: "channels", label: "Channels" },
] as const;

/** /alerts: tabs kept in the URL (?tab=, ?rule=<id> opens that rule's editor: the generatorURL). */
export function AlertsPage() {
  const { get, setParams } = useUrlParams();
  const ruleParam = get("rule");
  const tab = get("tab") || (ruleParam ? "rules" : "firing");
  const rules = useAlertRules();
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  const fromUrl = ruleParam ? (rules.data?.rules.find((r) => r.id === ruleParam) ?? null) : null;
  const current = editing ?? fromUrl;
  const closeEditor = () => {
    setEditing(null);
    if (ruleParam) setParams({ rule: "" });
  };
  return (
    <div className="stack">
      <nav className="alert-tabs" aria-label="Alerting sections">
        {TABS.map((t) => (
          <button
            key={t.id}
            className="btn"
            aria-current={tab === t.id ? "page" : undefined}
            onClick={() => setParams({ tab: t.id, rule: "" })}
          >
            {t.label}
          </button>
        ))}
        <span className="spacer" />
        <button
          className="btn primary"
          onClick={() => {
            setParams({ tab: "rules" });
            setEditing("new");
          }}
          data-testid="new-rule"
        >
          New rule
        </button>
      </nav>
      {tab === "rules" && current && (
        <RuleEditor
          key={current === "new" ? "new" : current.id}
          rule={current === "new" ? null : current}
          onDone={closeEditor}
        />
      )}
      <div className="panel table-scroll">
        {tab === "firing" && <AlertsList />}
        {tab === "rules" && <RulesList onEdit={(r) => setEditing(r)} />}
        {tab === "history" && <AlertHistory ruleId={ruleParam || undefined} />}
        {tab === "silences" && <SilencesView />}
        {tab === "channels" && <ChannelsView />}
      </div>
    </div>
  );
}
