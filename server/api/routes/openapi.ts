import "server-only";
import { contract } from "../../../lib/contract";
import { generateOpenApiDocument } from "../openapi";
import { route } from "../route";
import type { Route } from "../router";

let document: ReturnType<typeof generateOpenApiDocument> | null = null;

export const openApiRoutes: Route[] = [
  route(
    contract.getOpenApi,
    () => (document ??= generateOpenApiDocument()) as { openapi: string; paths: Record<string, unknown> },
  ),
];
