import "server-only";
import type { Route } from "../router";
import { telemetryRoutes } from "./telemetry";
import { serviceMapRoutes } from "./service-map";
import { violationRoutes } from "./violations";
import { policyRoutes } from "./policy";
import { alertingRoutes } from "./alerting";
import { openApiRoutes } from "./openapi";

/** Every API route. Each feature adds its list here (one import, one spread). */
export const allRoutes: Route[] = [
  ...telemetryRoutes,
  ...serviceMapRoutes,
  ...violationRoutes,
  ...policyRoutes,
  ...alertingRoutes,
  ...openApiRoutes,
];
