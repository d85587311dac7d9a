"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { fetchJson } from "@/lib/api-client";
import type { AlertInstance, Channel, FieldError, HistoryEntry, Preview, Rule, RuleBody, Silence } from "./types";

/** One React Query hook per alerting endpoint (server/alerting/API.md). */

/** An API error with the field-level details of a 400 (zod issues). */
export class AlertingApiError extends Error {
  constructor(message: string, readonly status: number, readonly fields: FieldError[]) {
    super(message);
  }
}

async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api/v1/${path}`, {
    method,
    headers: { "content-type": "application/json", accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) {
    const err = json?.error;
    throw new AlertingApiError(err?.message ?? `HTTP ${res.status}`, res.status, err?.details?.fields ?? []);
  }
  return json as T;
}

const POLL = 10_000;

export const useAlertRules = () => useQuery({ queryKey: ["alert-rules"], queryFn: () => fetchJson<{ rules: Rule[] }>("alert-rules"), refetchInterval: POLL });
export const useAlerts = (state?: string) =>
  useQuery({ queryKey: ["alerts", state ?? ""], queryFn: () => fetchJson<{ alerts: AlertInstance[] }>("alerts", { state }), refetchInterval: POLL });
export const useAlertHistory = (ruleId?: string) =>
  useQuery({ queryKey: ["alert-history", ruleId ?? ""], queryFn: () => fetchJson<{ history: HistoryEntry[] }>("alerts/history", { ruleId, limit: 300 }), refetchInterval: POLL });
export const useSilences = () => useQuery({ queryKey: ["silences"], queryFn: () => fetchJson<{ silences: Silence[] }>("silences"), refetchInterval: POLL });
export const useChannels = () => useQuery({ queryKey: ["notification-channels"], queryFn: () => fetchJson<{ channels: Channel[] }>("notification-channels") });

/** POST /alert-rules/preview for the rule being edited (debounced by the caller through `rule`). */
export const useRulePreview = (rule: RuleBody | null, windowMs = 3600_000) =>
  useQuery({
    queryKey: ["alert-rule-preview", rule, windowMs],
    queryFn: () => send<Preview>("POST", "alert-rules/preview", { rule, from: Date.now() - windowMs, to: Date.now() }),
    enabled: rule !== null,
    retry: false,
  });

function useInvalidating<A, R>(fn: (a: A) => Promise<R>, keys: string[]) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => keys.forEach((k) => qc.invalidateQueries({ queryKey: [k] })) });
}

export const useSaveRule = () =>
  useInvalidating(({ id, body }: { id?: string; body: RuleBody }) => (id ? send<Rule>("PUT", `alert-rules/${encodeURIComponent(id)}`, body) : send<Rule>("POST", "alert-rules", body)), ["alert-rules", "alerts"]);
export const useDeleteRule = () => useInvalidating((id: string) => send("DELETE", `alert-rules/${encodeURIComponent(id)}`), ["alert-rules", "alerts"]);
export const useCreateSilence = () => useInvalidating((body: Omit<Silence, "id" | "status" | "startsAt"> & { startsAt?: string }) => send<Silence>("POST", "silences", body), ["silences", "alerts"]);
export const useDeleteSilence = () => useInvalidating((id: string) => send("DELETE", `silences/${encodeURIComponent(id)}`), ["silences", "alerts"]);
export const useSaveChannel = () =>
  useInvalidating(
    ({ id, body }: { id?: string; body: Omit<Channel, "id"> }) =>
      id ? send<Channel>("PUT", `notification-channels/${encodeURIComponent(id)}`, body) : send<Channel>("POST", "notification-channels", body),
    ["notification-channels"],
  );
export const useDeleteChannel = () => useInvalidating((id: string) => send("DELETE", `notification-channels/${encodeURIComponent(id)}`), ["notification-channels"]);
