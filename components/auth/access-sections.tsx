"use client";
import { useState } from "react";
import { ErrorBox, Loading } from "../ui/status";
import { SecretOnce } from "./secret-once";
import {
  ROLES,
  useCreateIngestKey,
  useCreateToken,
  useCreateUser,
  useDeleteUser,
  useIngestKeys,
  useRevokeIngestKey,
  useRevokeToken,
  useTokens,
  useUpdateUser,
  useUsers,
  type Role,
} from "./use-access";

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "never");
const errorOf = (...errs: unknown[]) => errs.find(Boolean) as Error | undefined;

export function TokensSection({
  canCreate,
  maxRole,
  showOwner,
}: {
  canCreate: boolean;
  maxRole: Role;
  showOwner: boolean;
}) {
  const q = useTokens(true);
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [days, setDays] = useState("");
  const err = errorOf(create.error, revoke.error);
  const roles = ROLES.slice(0, ROLES.indexOf(maxRole) + 1);
  return (
    <section className="panel" aria-label="API tokens">
      <h2>API tokens</h2>
      <p className="muted">
        For scripts and <code>cartograph check --token</code>: send <code>Authorization: Bearer &lt;token&gt;</code>.
      </p>
      {canCreate && (
        <form
          className="access-form"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate(
              { name, role, expiresInDays: days ? Number(days) : undefined },
              { onSuccess: () => setName("") },
            );
          }}
        >
          <label className="auth-field">
            <span>Name</span>
            <input value={name} onChange={(e) => setName(e.target.value)} required placeholder="ci check" />
          </label>
          <label className="auth-field">
            <span>Role</span>
            <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {roles.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <label className="auth-field">
            <span>Expires in days (empty: never)</span>
            <input type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} />
          </label>
          <button className="btn primary" type="submit">
            Create token
          </button>
        </form>
      )}
      {create.data && <SecretOnce what="API token" secret={create.data.token} />}
      {err && (
        <p className="form-error" role="alert">
          {err.message}
        </p>
      )}
      {q.isLoading ? (
        <Loading what="tokens" />
      ) : q.error ? (
        <ErrorBox error={q.error} />
      ) : (
        <table className="data" data-testid="tokens-table">
          <thead>
            <tr>
              <th>Name</th>
              {showOwner && <th>User</th>}
              <th>Role</th>
              <th>Starts with</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(q.data?.tokens ?? []).map((t) => (
              <tr key={t.id} data-token={t.name}>
                <td>{t.name}</td>
                {showOwner && <td>{t.user}</td>}
                <td>{t.role}</td>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>{when(t.createdAt)}</td>
                <td>{when(t.lastUsedAt)}</td>
                <td>{t.expiresAt ? when(t.expiresAt) : "never"}</td>
                <td>
                  <button className="btn small" onClick={() => revoke.mutate(t.id)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function UsersSection({ self }: { self: string }) {
  const q = useUsers(true);
  const create = useCreateUser();
  const update = useUpdateUser();
  const del = useDeleteUser();
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [password, setPassword] = useState("");
  const err = errorOf(create.error, update.error, del.error);
  return (
    <section className="panel" aria-label="Users">
      <h2>Users</h2>
      <form
        className="access-form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(
            { name, role, password },
            {
              onSuccess: () => {
                setName("");
                setPassword("");
              },
            },
          );
        }}
      >
        <label className="auth-field">
          <span>User name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" />
        </label>
        <label className="auth-field">
          <span>Role</span>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label className="auth-field">
          <span>Initial password (12+ characters)</span>
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            minLength={12}
            required
            autoComplete="new-password"
          />
        </label>
        <button className="btn primary" type="submit">
          Add user
        </button>
      </form>
      {err && (
        <p className="form-error" role="alert">
          {err.message}
        </p>
      )}
      {q.isLoading ? (
        <Loading what="users" />
      ) : q.error ? (
        <ErrorBox error={q.error} />
      ) : (
        <table className="data" data-testid="users-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(q.data?.users ?? []).map((u) => (
              <tr key={u.id} data-user={u.name}>
                <td>
                  {u.name}
                  {u.name === self && <span className="muted"> (you)</span>}
                </td>
                <td>
                  <select
                    aria-label={`Role of ${u.name}`}
                    value={u.role}
                    onChange={(e) => update.mutate({ name: u.name, role: e.target.value as Role })}
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>{when(u.createdAt)}</td>
                <td>
                  <button
                    className="btn small"
                    onClick={() => {
                      const pw = window.prompt(`New password for ${u.name} (12+ characters)`);
                      if (pw) update.mutate({ name: u.name, password: pw });
                    }}
                  >
                    Set password
                  </button>{" "}
                  {u.name !== self && (
                    <button className="btn small" onClick={() => del.mutate(u.name)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function IngestKeysSection() {
  const q = useIngestKeys(true);
  const create = useCreateIngestKey();
  const revoke = useRevokeIngestKey();
  const [name, setName] = useState("");
  const [rate, setRate] = useState("");
  const err = errorOf(create.error, revoke.error);
  return (
    <section className="panel" aria-label="Ingest keys">
      <h2>Ingest keys</h2>
      <p className="muted">
        {q.data?.required
          ? "Required: OTLP and Zipkin senders must present a key"
          : "Not required now (CARTOGRAPH_INGEST_AUTH=off); keys take effect with CARTOGRAPH_INGEST_AUTH=keys"}
        . Exporters send it as <code>Authorization: Bearer &lt;key&gt;</code> or <code>x-cartograph-ingest-key</code>{" "}
        (HTTP header or gRPC metadata), e.g.
        <code> OTEL_EXPORTER_OTLP_HEADERS=x-cartograph-ingest-key=&lt;key&gt;</code>.
      </p>
      <form
        className="access-form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name, requestsPerSecond: rate ? Number(rate) : undefined }, { onSuccess: () => setName("") });
        }}
      >
        <label className="auth-field">
          <span>Name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required placeholder="checkout prod" />
        </label>
        <label className="auth-field">
          <span>Requests per second (empty: server default)</span>
          <input type="number" min={0.01} step="any" value={rate} onChange={(e) => setRate(e.target.value)} />
        </label>
        <button className="btn primary" type="submit">
          Create ingest key
        </button>
      </form>
      {create.data && <SecretOnce what="ingest key" secret={create.data.key} />}
      {err && (
        <p className="form-error" role="alert">
          {err.message}
        </p>
      )}
      {q.isLoading ? (
        <Loading what="ingest keys" />
      ) : q.error ? (
        <ErrorBox error={q.error} />
      ) : (
        <table className="data" data-testid="ingest-keys-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Starts with</th>
              <th>Limit (req/s)</th>
              <th>Created by</th>
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(q.data?.keys ?? []).map((k) => (
              <tr key={k.id} data-key={k.name}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{k.requestsPerSecond}</td>
                <td>{k.createdBy}</td>
                <td>{when(k.createdAt)}</td>
                <td>{when(k.lastUsedAt)}</td>
                <td>
                  <button className="btn small" onClick={() => revoke.mutate(k.id)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
