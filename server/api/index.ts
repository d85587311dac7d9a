import "server-only";
export { createRouter, sendJson, reply, type Route, type RouteRequest } from "./router";
export { allRoutes } from "./routes";
export { startQueryThread } from "./query-pool";
export { ApiError, badRequest, notFound, fromZodError } from "./errors";
export { resolveWindow, parseInstant, type TimeWindow } from "./time-window";
export { createApiContext, type ApiContext } from "./context";
export { route, type RouteHandler, type RouteInput } from "./route";
