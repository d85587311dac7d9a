"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useQuery } from "../api/query";
import { fetchJson, sendJson } from "@/lib/api-client";
import type { BodyOf, contract, ResponseOf } from "@/lib/contract";

/** One React Query hook per access endpoint (sign-in state, users, API tokens, ingest keys); shapes from lib/contract/access.ts. */
export { ROLES, type Role } from "@/lib/enums";
export type SessionInfo = ResponseOf<typeof contract.getSession>;
export type User = ResponseOf<typeof contract.createUser>;
export type ApiToken = ResponseOf<typeof contract.listTokens>["tokens"][number];
export type IngestKey = ResponseOf<typeof contract.listIngestKeys>["keys"][number];
type CreatedToken = ResponseOf<typeof contract.createToken>;
type CreatedIngestKey = ResponseOf<typeof contract.createIngestKey>;

export const useSession = () =>
  useQuery({ queryKey: ["auth-session"], queryFn: () => fetchJson<SessionInfo>("auth/session"), staleTime: 30_000 });

export const useUsers = (enabled: boolean) =>
  useQuery({
    queryKey: ["access-users"],
    queryFn: () => fetchJson<ResponseOf<typeof contract.listUsers>>("access/users"),
    enabled,
  });
export const useTokens = (enabled: boolean) =>
  useQuery({
    queryKey: ["access-tokens"],
    queryFn: () => fetchJson<ResponseOf<typeof contract.listTokens>>("access/tokens"),
    enabled,
  });
export const useIngestKeys = (enabled: boolean) =>
  useQuery({
    queryKey: ["access-ingest-keys"],
    queryFn: () => fetchJson<ResponseOf<typeof contract.listIngestKeys>>("access/ingest-keys"),
    enabled,
  });

function useAccessMutation<V, T>(key: string, fn: (v: V) => Promise<T>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: [key] }) });
}

export const useCreateUser = () =>
  useAccessMutation("access-users", (v: BodyOf<typeof contract.createUser>) =>
    sendJson<User>("POST", "access/users", v),
  );
export const useUpdateUser = () =>
  useAccessMutation("access-users", (v: { name: string } & BodyOf<typeof contract.updateUser>) =>
    sendJson<User>("PATCH", `access/users/${encodeURIComponent(v.name)}`, { role: v.role, password: v.password }),
  );
export const useDeleteUser = () =>
  useAccessMutation("access-users", (name: string) => sendJson("DELETE", `access/users/${encodeURIComponent(name)}`));
export const useCreateToken = () =>
  useAccessMutation("access-tokens", (v: BodyOf<typeof contract.createToken>) =>
    sendJson<CreatedToken>("POST", "access/tokens", v),
  );
export const useRevokeToken = () =>
  useAccessMutation("access-tokens", (id: string) => sendJson("DELETE", `access/tokens/${encodeURIComponent(id)}`));
export const useCreateIngestKey = () =>
  useAccessMutation("access-ingest-keys", (v: BodyOf<typeof contract.createIngestKey>) =>
    sendJson<CreatedIngestKey>("POST", "access/ingest-keys", v),
  );
export const useRevokeIngestKey = () =>
  useAccessMutation("access-ingest-keys", (id: string) =>
    sendJson("DELETE", `access/ingest-keys/${encodeURIComponent(id)}`),
  );

/** Where to go after signing in: a path on this site only (never `//host` or `/\host`). */
export function safeNext(next: string | null): string {
  return next && /^\/(?![/\\])/.test(next) ? next : "/";
}
