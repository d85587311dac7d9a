import "server-only";
import type { Route } from "../router";

/** Every API route. Each feature adds its list here (one import, one spread). */
export const allRoutes: Route[] = [];
