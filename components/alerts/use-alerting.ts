"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useQuery } from "../api/query";
import { fetchJson, sendJson as send } from "@/lib/api-client";
import type {
  AlertInstance,
  Channel,
  ChannelBody,
  HistoryEntry,
  Preview,
  Rule,
  RuleBody,
  Silence,
  SilenceBody,
} from "./types";

/** One React Query hook per alerting endpoint (lib/contract/alerting.ts). A 400's field errors are ApiRequestError.fields. */

const POLL = 10_000;

export const useAlertRules = () =>
  useQuery({
    queryKey: ["alert-rules"],
    queryFn: () => fetchJson<{ rules: Rule[] }>("alert-rules"),
    refetchInterval: POLL,
  });
export const useAlerts = (state?: string) =>
  useQuery({
    queryKey: ["alerts", state ?? ""],
    queryFn: () => fetchJson<{ alerts: AlertInstance[] }>("alerts", { state }),
    refetchInterval: POLL,
  });
export const useAlertHistory = (ruleId?: string) =>
  useQuery({
    queryKey: ["alert-history", ruleId ?? ""],
    queryFn: () => fetchJson<{ history: HistoryEntry[] }>("alerts/history", { ruleId, limit: 300 }),
    refetchInterval: POLL,
  });
export const useSilences = () =>
  useQuery({
    queryKey: ["silences"],
    queryFn: () => fetchJson<{ silences: Silence[] }>("silences"),
    refetchInterval: POLL,
  });
export const useChannels = () =>
  useQuery({
    queryKey: ["notification-channels"],
    queryFn: () => fetchJson<{ channels: Channel[] }>("notification-channels"),
  });

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
  useInvalidating(
    ({ id, body }: { id?: string; body: RuleBody }) =>
      id ? send<Rule>("PUT", `alert-rules/${encodeURIComponent(id)}`, body) : send<Rule>("POST", "alert-rules", body),
    ["alert-rules", "alerts"],
  );
export const useDeleteRule = () =>
  useInvalidating((id: string) => send("DELETE", `alert-rules/${encodeURIComponent(id)}`), ["alert-rules", "alerts"]);
export const useCreateSilence = () =>
  useInvalidating((body: SilenceBody) => send<Silence>("POST", "silences", body), ["silences", "alerts"]);
export const useDeleteSilence = () =>
  useInvalidating((id: string) => send("DELETE", `silences/${encodeURIComponent(id)}`), ["silences", "alerts"]);
export const useSaveChannel = () =>
  useInvalidating(
    ({ id, body }: { id?: string; body: ChannelBody }) =>
      id
        ? send<Channel>("PUT", `notification-channels/${encodeURIComponent(id)}`, body)
        : send<Channel>("POST", "notification-channels", body),
    ["notification-channels"],
  );
export const useDeleteChannel = () =>
  useInvalidating(
    (id: string) => send("DELETE", `notification-channels/${encodeURIComponent(id)}`),
    ["notification-channels"],
  );
