"use client";
import { useState } from "react";
import { ErrorBox, Loading } from "../ui/status";
import { ApiRequestError } from "@/lib/api-client";
import {
  useChannels,
  useCreateSilence,
  useDeleteChannel,
  useDeleteSilence,
  useSaveChannel,
  useSilences,
} from "./use-alerting";
import type { Channel, Matcher } from "./types";

/** Silences (label matchers + window) and notification channels. */
function parseMatchers(text: string): Matcher[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?$/.exec(s);
      return m ? { name: m[1]!, op: m[2] as Matcher["op"], value: m[3]! } : { name: s, op: "=", value: "" };
    });
}

export function SilencesView() {
  const q = useSilences();
  const create = useCreateSilence();
  const del = useDeleteSilence();
  const [matchers, setMatchers] = useState('service="checkout"');
  const [hours, setHours] = useState(2);
  const [comment, setComment] = useState("");
  const fields = create.error instanceof ApiRequestError ? create.error.fields : [];
  return (
    <div className="stack">
      <form
        className="panel alert-form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({
            matchers: parseMatchers(matchers),
            endsAt: new Date(Date.now() + hours * 3600_000).toISOString(),
            comment,
            createdBy: "",
          });
        }}
      >
        <label className="alert-field">
          <span>Matchers (comma-separated: name=value, name!=value, name=~regex, name!~regex)</span>
          <input value={matchers} onChange={(e) => setMatchers(e.target.value)} data-testid="silence-matchers" />
        </label>
        <label className="alert-field">
          <span>Duration (hours)</span>
          <input type="number" min={0.1} step="any" value={hours} onChange={(e) => setHours(Number(e.target.value))} />
        </label>
        <label className="alert-field">
          <span>Comment</span>
          <input value={comment} onChange={(e) => setComment(e.target.value)} />
        </label>
        <button className="btn primary" type="submit">
          Create silence
        </button>
        {create.error && (
          <div className="form-error">
            {(create.error as Error).message}
            {fields.length > 0 && ` (${fields.map((f) => f.path).join(", ")})`}
          </div>
        )}
      </form>
      {q.isLoading ? (
        <Loading what="silences" />
      ) : q.error ? (
        <ErrorBox error={q.error} />
      ) : (
        <table className="data" data-testid="silences-table">
          <thead>
            <tr>
              <th>Status</th>
              <th>Matchers</th>
              <th>Window</th>
              <th>Comment</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(q.data?.silences ?? []).map((s) => (
              <tr key={s.id}>
                <td>
                  <span className={`badge alert-state-${s.status}`}>{s.status}</span>
                </td>
                <td>
                  {s.matchers.map((m, i) => (
                    <span key={i} className="badge">
                      {m.name}
                      {m.op}
                      {m.value}
                    </span>
                  ))}
                </td>
                <td>
                  {new Date(s.startsAt).toLocaleString()} – {new Date(s.endsAt).toLocaleString()}
                </td>
                <td>{s.comment}</td>
                <td>
                  <button className="btn" onClick={() => del.mutate(s.id)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const EMPTY: Omit<Channel, "id"> = {
  name: "",
  type: "webhook",
  enabled: true,
  settings: { url: "", headers: {}, sendResolved: true },
};

export function ChannelsView() {
  const q = useChannels();
  const save = useSaveChannel();
  const del = useDeleteChannel();
  const [draft, setDraft] = useState<Omit<Channel, "id">>(EMPTY);
  const [editing, setEditing] = useState<string | undefined>();
  const fields = save.error instanceof ApiRequestError ? save.error.fields : [];
  const err = (p: string) => fields.find((f) => f.path === p)?.message;
  const body = (): Omit<Channel, "id"> =>
    draft.type === "slack"
      ? {
          ...draft,
          settings: {
            url: draft.settings.url,
            channel: draft.settings.channel,
            sendResolved: draft.settings.sendResolved,
          },
        }
      : {
          ...draft,
          settings: {
            url: draft.settings.url,
            headers: draft.settings.headers ?? {},
            sendResolved: draft.settings.sendResolved,
          },
        };
  return (
    <div className="stack">
      <form
        className="panel alert-form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(
            { id: editing, body: body() },
            {
              onSuccess: () => {
                setDraft(EMPTY);
                setEditing(undefined);
              },
            },
          );
        }}
      >
        <label className="alert-field">
          <span>Name</span>
          <input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
          {err("name") && <span className="form-error">{err("name")}</span>}
        </label>
        <label className="alert-field">
          <span>Type</span>
          <select value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.target.value as Channel["type"] })}>
            <option value="webhook">Webhook (Alertmanager v4 payload)</option>
            <option value="alertmanager">Prometheus Alertmanager (base URL)</option>
            <option value="slack">Slack-compatible incoming webhook</option>
          </select>
        </label>
        <label className="alert-field">
          <span>URL</span>
          <input
            value={draft.settings.url}
            onChange={(e) => setDraft({ ...draft, settings: { ...draft.settings, url: e.target.value } })}
            placeholder="https://..."
          />
          {err("settings.url") && <span className="form-error">{err("settings.url")}</span>}
        </label>
        <label className="row">
          <input
            type="checkbox"
            checked={draft.settings.sendResolved !== false}
            onChange={(e) => setDraft({ ...draft, settings: { ...draft.settings, sendResolved: e.target.checked } })}
          />
          send resolved
        </label>
        <div className="row">
          <button className="btn primary" type="submit">
            {editing ? "Save channel" : "Add channel"}
          </button>
          {editing && (
            <button
              className="btn"
              type="button"
              onClick={() => {
                setEditing(undefined);
                setDraft(EMPTY);
              }}
            >
              Cancel
            </button>
          )}
        </div>
        {save.error && <div className="form-error">{(save.error as Error).message}</div>}
      </form>
      <p className="muted">
        Loopback and private addresses are refused unless listed in CARTOGRAPH_WEBHOOK_ALLOW; link-local and cloud
        metadata addresses always are.
      </p>
      {q.isLoading ? (
        <Loading what="channels" />
      ) : q.error ? (
        <ErrorBox error={q.error} />
      ) : (
        <table className="data" data-testid="channels-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>URL</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(q.data?.channels ?? []).map((c) => (
              <tr key={c.id}>
                <td>
                  {c.name}
                  {!c.enabled && <span className="badge">disabled</span>}
                </td>
                <td>{c.type}</td>
                <td className="mono">{c.settings.url}</td>
                <td>
                  <span className="row">
                    <button
                      className="btn"
                      onClick={() => {
                        setEditing(c.id);
                        setDraft({ name: c.name, type: c.type, enabled: c.enabled, settings: c.settings });
                      }}
                    >
                      Edit
                    </button>
                    <button className="btn" onClick={() => confirm(`Delete channel ${c.name}?`) && del.mutate(c.id)}>
                      Delete
                    </button>
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
