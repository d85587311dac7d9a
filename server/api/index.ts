import "server-only";
export { createRouter, sendJson, reply, type Route, type RouteRequest } from "./router";
export { allRoutes } from "./routes";
export { startQueryThread } from "./query-pool";
export { ApiError, badRequest, notFound, fromZodError } from "./errors";
export { parseWindow, parseInstant, type TimeWindow } from "./time-window";
export type { ApiContext } from "./context";
