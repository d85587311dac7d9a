import "server-only";
import { contract } from "../../../lib/contract";
import { getCouplingMetrics, getViolations } from "../../coupling";
import { notFound } from "../errors";
import { route } from "../route";
import type { Route } from "../router";

/** Coupling findings of the window and the coupling metrics (API.md "Coupling findings"). */
export const violationRoutes: Route[] = [
  route(contract.getViolations, async ({ query, window }, ctx) => {
    const out = await getViolations(ctx.telemetry, await ctx.policy.get(), window, ctx.now());
    const { rule, severity, service } = query;
    out.violations = out.violations.filter(
      (v) =>
        (!rule || v.rule === rule) &&
        (!severity || v.severity === severity) &&
        (!service || v.services.includes(service)),
    );
    return out;
  }),
  route(contract.getCouplingMetrics, async ({ window }, ctx) =>
    getCouplingMetrics(ctx.telemetry, await ctx.policy.get(), window, ctx.now()),
  ),
  route(contract.getServiceCoupling, async ({ params, window }, ctx) => {
    const all = await getCouplingMetrics(ctx.telemetry, await ctx.policy.get(), window, ctx.now());
    const one = all.services.find((s) => s.service === params.service);
    if (!one) throw notFound(`service ${JSON.stringify(params.service)} has no spans in this window`);
    return { ...one, sampled: all.sampled, from: all.from, to: all.to };
  }),
];
