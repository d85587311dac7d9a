import "server-only";
import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { allEndpoints, errorBodySchema, type AnyEndpoint } from "../../lib/contract";

/**
 * The OpenAPI 3.1 document served at /api/v1/openapi.json, generated from the contract
 * (lib/contract): the same schemas the router validates with, so the document cannot drift.
 */
export function generateOpenApiDocument(endpoints: AnyEndpoint[] = allEndpoints) {
  const registry = new OpenAPIRegistry();
  for (const e of endpoints) registry.registerPath(toPathItem(e));
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Cartograph API",
      version: "1",
      description:
        "Service map, RED, traces, metrics, coupling findings and alerting over OpenTelemetry data. Errors are {error:{code,message}}; client mistakes are 4xx, never 500. Every read takes from/to (epoch ms, RFC 3339 or `now`; default the last 15 minutes).",
    },
  });
}

type PathItem = Parameters<OpenAPIRegistry["registerPath"]>[0];

function toPathItem(e: AnyEndpoint): PathItem {
  const json = (schema: z.ZodType, description: string) => ({
    description,
    content: { "application/json": { schema } },
  });
  const success =
    e.response instanceof z.ZodString
      ? { description: "OK", content: { "text/plain": { schema: e.response } } }
      : json(e.response, "OK");
  const responses: PathItem["responses"] = { [e.status ?? 200]: success };
  const errorStatuses = new Set([...(e.params || e.query || e.body ? [400] : []), ...(e.errors ?? [])]);
  for (const status of errorStatuses) responses[status] = json(errorBodySchema, ERROR_TEXT[status] ?? "error");
  return {
    method: e.method.toLowerCase() as PathItem["method"],
    path: e.path.replace(/:(\w+)/g, "{$1}"),
    operationId: e.id,
    summary: e.summary,
    description: e.description,
    tags: [e.tag],
    request: {
      params: e.params,
      query: e.query ? plainObject(e.query) : undefined,
      body: e.body ? { required: true, content: { "application/json": { schema: e.body } } } : undefined,
    },
    responses,
  };
}

/** Query schemas may carry cross-field refinements; the document lists their fields. */
function plainObject(schema: z.ZodType): z.ZodObject {
  let s: z.ZodType = schema;
  while (!(s instanceof z.ZodObject) && "in" in (s as z.ZodPipe)._zod.def) s = (s as z.ZodPipe).in as z.ZodType;
  return s as z.ZodObject;
}

const ERROR_TEXT: Record<number, string> = {
  400: "invalid input (the message names the parameter or field)",
  404: "not found",
  413: "body over the size cap",
  415: "unsupported content type",
  429: "over the rate limit; Retry-After",
  503: "unavailable or overloaded; retry (Retry-After)",
};
