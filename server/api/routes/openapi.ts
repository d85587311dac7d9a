import "server-only";
import { openApiDocument } from "../openapi";
import type { Route } from "../router";

export const openApiRoutes: Route[] = [{ method: "GET", path: "/api/v1/openapi.json", handler: () => openApiDocument }];
