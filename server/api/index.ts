import "server-only";
export {
  createRouter,
  sendJson,
  reply,
  parseRequestTarget,
  errorAnswer,
  type Route,
  type RouteRequest,
} from "./router";
export { allRoutes } from "./routes";
export { alertingRoutes } from "./routes/alerting";
export { startQueryPool, type QueryPool, type PoolHealth } from "./query-pool";
export { startMapLayoutWarming, readDefaultLayoutRequest } from "./warm-map-layout";
export { ApiError, badRequest, notFound, fromZodError } from "./errors";
export { resolveWindow, parseInstant, type TimeWindow } from "./time-window";
export { createApiContext, type ApiContext } from "./context";
export { route, type RouteHandler, type RouteInput } from "./route";
