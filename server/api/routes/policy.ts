import "server-only";
import { contract } from "../../../lib/contract";
import { stringifyPolicy, type PolicyState } from "../../coupling";
import { route } from "../route";
import { reply, type Route } from "../router";

function view(s: PolicyState) {
  return {
    path: s.path,
    exists: s.exists,
    yaml: s.text,
    policy: s.policy as unknown as Record<string, unknown>,
    errors: s.errors,
    valid: s.errors.length === 0,
    source: s.source,
    updatedAt: s.updatedAtMs === null ? null : new Date(s.updatedAtMs).toISOString(),
  };
}

/**
 * GET /api/v1/policy: the control plane's policy text, the effective policy and its errors.
 * PUT /api/v1/policy: validates and stores it in the control plane, where every instance reads
 * it; 400 `invalid-policy` with `details.fields[] = {path, message, line, column}` when the
 * policy has mistakes.
 */
export const policyRoutes: Route[] = [
  route(contract.getPolicy, async (_in, ctx) => view(await ctx.policy.get())),
  route(contract.putPolicy, async ({ body }, ctx) => {
    const text = "yaml" in body ? body.yaml : stringifyPolicy(body.policy);
    const saved = await ctx.policy.save(text);
    if (!saved.ok) {
      const summary = saved.errors
        .slice(0, 5)
        .map((e) => `${e.line !== null ? `line ${e.line}: ` : ""}${e.path ? e.path + ": " : ""}${e.message}`)
        .join("; ");
      return reply(400, {
        error: {
          code: "invalid-policy",
          message: `the policy was not saved: ${summary}`,
          details: { fields: saved.errors },
        },
      });
    }
    ctx.log.info("architecture policy saved in the control plane");
    return view(saved.state);
  }),
];
