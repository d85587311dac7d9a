"use client";
import { useEffect, useState } from "react";
import { ErrorBox, Loading } from "../ui/status";
import { policyErrorsOf, usePolicy, useSavePolicy } from "./use-policy";
import type { PolicyError } from "./types";

const EXAMPLE = `# cartograph.yaml: see cartograph.example.yaml in the repository for every option
groups:
  orders: [orders-api, orders-worker]
roles:
  gateway: [api-gateway]
  platform: [auth]
`;

/** Edits the architecture policy as text; the server validates and answers with line-numbered errors. */
export function PolicyEditor() {
  const q = usePolicy();
  const save = useSavePolicy();
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    if (q.data && text === null) setText(q.data.exists ? q.data.yaml : EXAMPLE);
  }, [q.data, text]);
  const rejected = policyErrorsOf(save.error);
  const errors: PolicyError[] = rejected ?? q.data?.errors ?? [];

  if (q.isLoading || text === null) return q.error ? <ErrorBox error={q.error} /> : <Loading what="policy" />;
  return (
    <div className="stack policy-editor">
      <p className="muted">
        {q.data?.exists
          ? `Shared by every instance; last changed ${q.data.updatedAt ? new Date(q.data.updatedAt).toLocaleString() : ""} ${q.data.source === "file" ? "by an import of" : "here or through the API; imported from"} `
          : "No policy stored yet (saving creates it for every instance); imported from "}
        <span className="mono">{q.data?.path}</span> whenever that file&apos;s content changes.
      </p>
      <textarea
        className="policy-text mono"
        value={text}
        spellCheck={false}
        rows={Math.max(16, text.split("\n").length + 2)}
        onChange={(e) => setText(e.target.value)}
        data-testid="policy-text"
      />
      <div className="row">
        <button className="btn" onClick={() => save.mutate(text)} disabled={save.isPending} data-testid="policy-save">
          {save.isPending ? "Saving…" : "Save"}
        </button>
        {save.isSuccess && !save.isPending ? (
          <span className="muted" data-testid="policy-saved">
            Saved.
          </span>
        ) : null}
      </div>
      {save.error && !rejected ? <ErrorBox error={save.error} /> : null}
      {errors.length > 0 ? (
        <ul className="policy-errors error-box" data-testid="policy-errors">
          {errors.map((e, i) => (
            <li key={i}>
              {e.line !== null ? `line ${e.line}${e.column !== null ? `:${e.column}` : ""}: ` : ""}
              {e.path ? <span className="mono">{e.path}</span> : null}
              {e.path ? ": " : ""}
              {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
