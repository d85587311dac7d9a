"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useQuery } from "../api/query";
import { ApiRequestError, fetchJson, sendJson } from "@/lib/api-client";
import type { PolicyError, PolicyResponse } from "./types";

/** The line-numbered errors of a policy the server refused (a 400 with details.fields), else null. */
export function policyErrorsOf(error: unknown): PolicyError[] | null {
  if (!(error instanceof ApiRequestError) || error.status !== 400 || error.fields.length === 0) return null;
  return error.fields as unknown as PolicyError[];
}

/** GET /api/v1/policy */
export function usePolicy() {
  return useQuery({ queryKey: ["policy"], queryFn: () => fetchJson<PolicyResponse>("policy") });
}

/** PUT /api/v1/policy with the YAML text; on success the policy and findings refresh. */
export function useSavePolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (yaml: string) => sendJson<PolicyResponse>("PUT", "policy", { yaml }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["policy"] });
      void qc.invalidateQueries({ queryKey: ["violations"] });
    },
  });
}
