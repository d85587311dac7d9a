import "server-only";
import type { Route } from "../router";
import { telemetryRoutes } from "./telemetry";
import { serviceMapRoutes } from "./service-map";

/** Every API route. Each feature adds its list here (one import, one spread). */
export const allRoutes: Route[] = [
  ...telemetryRoutes,
  ...serviceMapRoutes,
];
