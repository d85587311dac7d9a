import "server-only";
import type { Route } from "../router";
import { telemetryRoutes } from "./telemetry";
import { serviceMapRoutes } from "./service-map";
import { violationRoutes } from "./violations";
import { policyRoutes } from "./policy";
import { alertingRoutes } from "./alerting";
import { openApiRoutes } from "./openapi";
import { logRoutes } from "./logs";
import { jaegerRoutes } from "./jaeger";
import { accessRoutes } from "./access";

/** Read-only telemetry routes: they run in the query thread (see ../query-thread.ts). */
export const offloadableRoutes: Route[] = [
  ...telemetryRoutes,
  ...serviceMapRoutes,
  ...violationRoutes,
  ...logRoutes,
  ...jaegerRoutes,
].filter((r) => r.method === "GET");

/** Every API route. Each feature adds its list here (one import, one spread). */
export const allRoutes: Route[] = [
  ...telemetryRoutes.map(offloaded),
  ...serviceMapRoutes.map(offloaded),
  ...violationRoutes.map(offloaded),
  ...logRoutes.map(offloaded),
  ...jaegerRoutes.map(offloaded),
  ...policyRoutes,
  ...alertingRoutes,
  ...openApiRoutes,
  ...accessRoutes,
];

function offloaded(r: Route): Route {
  return r.method === "GET" ? { ...r, offload: true } : r;
}
