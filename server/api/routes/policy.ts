import "server-only";
import { z } from "zod";
import type { Route } from "../router";
import { reply } from "../router";
import { ApiError } from "../errors";
import { stringifyPolicy, type PolicyState } from "../../coupling";
import { policyStoreOf } from "./violations";

function view(s: PolicyState) {
  return { path: s.path, exists: s.exists, yaml: s.text, policy: s.policy, errors: s.errors, valid: s.errors.length === 0 };
}

/** PUT body: the YAML text (keeps comments), or the policy as a JSON object. */
const PutBody = z.union([z.object({ yaml: z.string().max(1_000_000) }).strict(), z.object({ policy: z.record(z.string(), z.unknown()) }).strict()]);

/**
 * GET /api/v1/policy: the file's text, the effective policy and the file's errors.
 * PUT /api/v1/policy: validates, writes atomically; 400 `invalid-policy` with
 * `details.fields[] = {path, message, line, column}` when the policy has mistakes.
 */
export const policyRoutes: Route[] = [
  { method: "GET", path: "/api/v1/policy", handler: (_req, ctx) => view(policyStoreOf(ctx).get()) },
  {
    method: "PUT",
    path: "/api/v1/policy",
    handler: (req, ctx) => {
      const body = PutBody.safeParse(req.body);
      if (!body.success) {
        throw new ApiError(400, "bad-request", 'send {"yaml": "<policy text>"} or {"policy": {...}}');
      }
      const text = "yaml" in body.data ? body.data.yaml : stringifyPolicy(body.data.policy);
      const saved = policyStoreOf(ctx).save(text);
      if (!saved.ok) {
        const summary = saved.errors
          .slice(0, 5)
          .map((e) => `${e.line !== null ? `line ${e.line}: ` : ""}${e.path ? e.path + ": " : ""}${e.message}`)
          .join("; ");
        return reply(400, { error: { code: "invalid-policy", message: `the policy was not saved: ${summary}`, details: { fields: saved.errors } } });
      }
      ctx.log.info("coupling policy saved", { path: saved.state.path });
      return view(saved.state);
    },
  },
];
