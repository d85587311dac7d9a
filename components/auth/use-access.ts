"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { fetchJson, sendJson } from "@/lib/api-client";

/** One React Query hook per access endpoint (sign-in state, users, API tokens, ingest keys). */
export type Role = "viewer" | "editor" | "admin";
export const ROLES: Role[] = ["viewer", "editor", "admin"];

export interface SessionInfo {
  authEnabled: boolean;
  ingestKeysRequired: boolean;
  setupRequired: boolean;
  user: { name: string; role: Role; via: string } | null;
}
export interface User {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
}
export interface ApiToken {
  id: string;
  name: string;
  user: string;
  role: Role;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}
export interface IngestKey {
  id: string;
  name: string;
  prefix: string;
  requestsPerSecond: number;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export const useSession = () => useQuery({ queryKey: ["auth-session"], queryFn: () => fetchJson<SessionInfo>("auth/session"), staleTime: 30_000 });

export const useUsers = (enabled: boolean) => useQuery({ queryKey: ["access-users"], queryFn: () => fetchJson<{ users: User[] }>("access/users"), enabled });
export const useTokens = (enabled: boolean) => useQuery({ queryKey: ["access-tokens"], queryFn: () => fetchJson<{ tokens: ApiToken[] }>("access/tokens"), enabled });
export const useIngestKeys = (enabled: boolean) =>
  useQuery({ queryKey: ["access-ingest-keys"], queryFn: () => fetchJson<{ keys: IngestKey[]; required: boolean }>("access/ingest-keys"), enabled });

function useAccessMutation<V, T>(key: string, fn: (v: V) => Promise<T>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: [key] }) });
}

export const useCreateUser = () => useAccessMutation("access-users", (v: { name: string; role: Role; password: string }) => sendJson<User>("POST", "access/users", v));
export const useUpdateUser = () =>
  useAccessMutation("access-users", (v: { name: string; role?: Role; password?: string }) => sendJson<User>("PATCH", `access/users/${encodeURIComponent(v.name)}`, { role: v.role, password: v.password }));
export const useDeleteUser = () => useAccessMutation("access-users", (name: string) => sendJson("DELETE", `access/users/${encodeURIComponent(name)}`));
export const useCreateToken = () =>
  useAccessMutation("access-tokens", (v: { name: string; role: Role; expiresInDays?: number }) => sendJson<ApiToken & { token: string }>("POST", "access/tokens", v));
export const useRevokeToken = () => useAccessMutation("access-tokens", (id: string) => sendJson("DELETE", `access/tokens/${encodeURIComponent(id)}`));
export const useCreateIngestKey = () =>
  useAccessMutation("access-ingest-keys", (v: { name: string; requestsPerSecond?: number }) => sendJson<IngestKey & { key: string }>("POST", "access/ingest-keys", v));
export const useRevokeIngestKey = () => useAccessMutation("access-ingest-keys", (id: string) => sendJson("DELETE", `access/ingest-keys/${encodeURIComponent(id)}`));

/** Where to go after signing in: a path on this site only (never `//host` or `/\host`). */
export function safeNext(next: string | null): string {
  return next && /^\/(?![/\\])/.test(next) ? next : "/";
}
