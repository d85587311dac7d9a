import "server-only";
import type { Route } from "../router";
import type { ApiContext } from "../context";
import { parseWindow } from "../time-window";
import { badRequest, notFound } from "../errors";
import { createPolicyStore, getCouplingMetrics, getViolations, RULE_IDS, type PolicyStore } from "../../coupling";

const stores = new WeakMap<ApiContext, PolicyStore>();

/** The policy store of this server: one per context, on CARTOGRAPH_POLICY_FILE. */
export function policyStoreOf(ctx: ApiContext): PolicyStore {
  const existing = (ctx as ApiContext & { policy?: PolicyStore }).policy ?? stores.get(ctx);
  if (existing) return existing;
  const store = createPolicyStore(ctx.config.CARTOGRAPH_POLICY_FILE);
  stores.set(ctx, store);
  return store;
}

const SEVERITIES = ["info", "warning", "critical"];

/**
 * GET /api/v1/violations?from&to[&rule&severity&service]: coupling findings of the window.
 * GET /api/v1/coupling/metrics?from&to and /api/v1/coupling/metrics/:service.
 */
export const violationRoutes: Route[] = [
  {
    method: "GET",
    path: "/api/v1/violations",
    handler: (req, ctx) => {
      const now = ctx.now();
      const window = parseWindow(req.query, now);
      const rule = req.query.get("rule");
      const severity = req.query.get("severity");
      const service = req.query.get("service");
      if (rule && !(RULE_IDS as readonly string[]).includes(rule)) throw badRequest(`rule=${JSON.stringify(rule)} is not one of ${RULE_IDS.join(", ")}`);
      if (severity && !SEVERITIES.includes(severity)) throw badRequest(`severity=${JSON.stringify(severity)} is not one of ${SEVERITIES.join(", ")}`);
      const out = getViolations(ctx.telemetry.db, policyStoreOf(ctx).get(), window, now);
      out.violations = out.violations.filter(
        (v) => (!rule || v.rule === rule) && (!severity || v.severity === severity) && (!service || v.services.includes(service)),
      );
      return out;
    },
  },
  {
    method: "GET",
    path: "/api/v1/coupling/metrics",
    handler: (req, ctx) => {
      const now = ctx.now();
      return getCouplingMetrics(ctx.telemetry.db, policyStoreOf(ctx).get(), parseWindow(req.query, now), now);
    },
  },
  {
    method: "GET",
    path: "/api/v1/coupling/metrics/:service",
    handler: (req, ctx) => {
      const now = ctx.now();
      const all = getCouplingMetrics(ctx.telemetry.db, policyStoreOf(ctx).get(), parseWindow(req.query, now), now);
      const one = all.services.find((s) => s.service === req.params.service);
      if (!one) throw notFound(`service ${JSON.stringify(req.params.service)} has no spans in this window`);
      return { ...one, sampled: all.sampled, from: all.from, to: all.to };
    },
  },
];
