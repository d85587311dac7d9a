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
  };
}

/**
 * GET /api/v1/policy: the file's text, the effective policy and the file's errors.
 * PUT /api/v1/policy: validates, writes atomically; 400 `invalid-policy` with
 * `details.fields[] = {path, message, line, column}` when the policy has mistakes.
 */
export const policyRoutes: Route[] = [
  route(contract.getPolicy, (_in, ctx) => view(ctx.policy.get())),
  route(contract.putPolicy, ({ body }, ctx) => {
    const text = "yaml" in body ? body.yaml : stringifyPolicy(body.policy);
    const saved = ctx.policy.save(text);
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
    ctx.log.info("coupling policy saved", { path: saved.state.path });
    return view(saved.state);
  }),
];
