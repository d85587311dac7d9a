import { z } from "zod";
import { defineEndpoint } from "./endpoint";

/**
 * Endpoints served in front of the API router (the OTLP receivers and the process probes)
 * and the OpenAPI document itself. Listed here so the generated document is complete.
 */

const otlpResponse = z
  .object({ partialSuccess: z.looseObject({}).optional() })
  .meta({ description: "Export…ServiceResponse, in the request's encoding" });
const otlp = { tag: "ingest", errors: [413, 415, 429, 503], response: otlpResponse } as const;

export const exportTraces = defineEndpoint({
  ...otlp,
  id: "exportTraces",
  method: "POST",
  path: "/v1/traces",
  summary: "OTLP/HTTP traces (protobuf or JSON, gzip); also on :4318, and OTLP/gRPC on :4317",
  description:
    "As the OTLP specification defines it: partial success for rejected items, 400 with a google.rpc.Status body for bad data, 429/503 with Retry-After under overload.",
});
export const exportMetrics = defineEndpoint({
  ...otlp,
  id: "exportMetrics",
  method: "POST",
  path: "/v1/metrics",
  summary: "OTLP/HTTP metrics; the same contract as /v1/traces",
});

export const getSelfMetrics = defineEndpoint({
  id: "getSelfMetrics",
  method: "GET",
  path: "/metrics",
  tag: "system",
  summary: "Prometheus exposition (text format) of Cartograph's own metrics",
  response: z.string(),
});
export const getHealthz = defineEndpoint({
  id: "getHealthz",
  method: "GET",
  path: "/healthz",
  tag: "system",
  summary: "Process up",
  response: z.object({ status: z.literal("ok") }),
});
export const getReadyz = defineEndpoint({
  id: "getReadyz",
  method: "GET",
  path: "/readyz",
  tag: "system",
  summary: "Stores reachable and migrations applied (503 with status starting otherwise)",
  errors: [503],
  response: z.object({ status: z.enum(["ready", "starting"]) }),
});

export const getOpenApi = defineEndpoint({
  id: "getOpenApi",
  method: "GET",
  path: "/api/v1/openapi.json",
  tag: "system",
  summary: "This document: OpenAPI 3.1, generated from the contract the server validates with",
  response: z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }),
});

export const exportZipkinSpans = defineEndpoint({
  id: "exportZipkinSpans",
  method: "POST",
  path: "/api/v2/spans",
  tag: "ingest",
  summary:
    "Zipkin v2 collector: JSON list of spans or application/x-protobuf (zipkin.proto3 ListOfSpans), gzip; also on CARTOGRAPH_ZIPKIN_PORT (9411)",
  description:
    "202 with an empty body once committed; 400 text naming the span and field (nothing stored); 413; 415; 503 with Retry-After.",
  status: 202,
  errors: [413, 415, 429, 503],
  response: z.unknown(),
});
