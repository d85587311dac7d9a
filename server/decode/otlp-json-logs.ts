import "server-only";
import { z } from "zod";
import { anyValue, attributes, int64, resource, scope } from "./otlp-json";

/**
 * OTLP/JSON logs per the spec's JSON mapping. As for spans, only a structurally broken
 * envelope fails here; record-level problems (ids, severity) are judged by normalize so one
 * bad record rejects only itself.
 */
const logRecord = z.object({
  timeUnixNano: int64.optional(),
  observedTimeUnixNano: int64.optional(),
  severityNumber: z.unknown().optional(),
  severityText: z.string().optional(),
  body: anyValue.optional(),
  attributes,
  droppedAttributesCount: z.number().optional(),
  flags: z.number().optional(),
  traceId: z.string().optional(),
  spanId: z.string().optional(),
  eventName: z.string().optional(),
});

export const LogsRequestJson = z.object({
  resourceLogs: z
    .array(
      z.object({
        resource,
        scopeLogs: z.array(z.object({ scope, logRecords: z.array(logRecord).optional() })).optional(),
      }),
    )
    .optional(),
});
