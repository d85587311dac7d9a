"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiRequestError, fetchJson } from "@/lib/api-client";
import type { PolicyError, PolicyResponse } from "./types";

/** GET /api/v1/policy */
export function usePolicy() {
  return useQuery({ queryKey: ["policy"], queryFn: () => fetchJson<PolicyResponse>("policy") });
}

/** Thrown by useSavePolicy with the field-level errors of a 400. */
export class PolicyRejected extends Error {
  constructor(message: string, readonly errors: PolicyError[]) {
    super(message);
  }
}

/** PUT /api/v1/policy with the YAML text; on success the policy and findings refresh. */
export function useSavePolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (yaml: string) => {
      const res = await fetch("/api/v1/policy", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ yaml }) });
      const body = await res.json().catch(() => null);
      if (res.status === 400 && body?.error?.details?.fields) throw new PolicyRejected(body.error.message, body.error.details.fields);
      if (!res.ok) throw new ApiRequestError(res.status, body?.error?.code ?? "error", body?.error?.message ?? `HTTP ${res.status}`);
      return body as PolicyResponse;
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["policy"] });
      void qc.invalidateQueries({ queryKey: ["violations"] });
    },
  });
}
