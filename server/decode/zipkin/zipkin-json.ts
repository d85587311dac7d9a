import "server-only";
import { z } from "zod";
import type { ZipkinEndpoint, ZipkinSpan } from "./types";

/**
 * Zipkin v2 JSON (zipkin-api `ListOfSpans`): a JSON array of spans. Ids are 1-32 (trace) or
 * 1-16 (span) hex characters; times are integer microseconds; tag values are strings (numbers
 * and booleans, which some reporters send, are kept as their text). Unknown fields are ignored.
 */
const hex = (max: number) =>
  z.string().regex(new RegExp(`^[0-9a-fA-F]{1,${max}}$`), `must be 1 to ${max} hex characters`);
const micros = z.union([
  z.number().int("must be an integer number of microseconds").nonnegative(),
  z.string().regex(/^\d+$/, "must be an integer number of microseconds"),
]);
const endpoint = z
  .object({
    serviceName: z.string().nullish(),
    ipv4: z.string().nullish(),
    ipv6: z.string().nullish(),
    port: z.number().int().min(0).max(65535).nullish(),
  })
  .nullish();
const tagValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

export const ZipkinSpanJson = z.object({
  traceId: hex(32),
  id: hex(16),
  // Some reporters send an empty parentId for a root span.
  parentId: z.union([z.literal(""), hex(16)]).nullish(),
  kind: z.enum(["CLIENT", "SERVER", "PRODUCER", "CONSUMER"], "must be CLIENT, SERVER, PRODUCER or CONSUMER").nullish(),
  name: z.string().nullish(),
  timestamp: micros.nullish(),
  duration: micros.nullish(),
  localEndpoint: endpoint,
  remoteEndpoint: endpoint,
  annotations: z.array(z.object({ timestamp: micros, value: z.string() })).nullish(),
  tags: z.record(z.string(), tagValue).nullish(),
  debug: z.boolean().nullish(),
  shared: z.boolean().nullish(),
});

type SpanJson = z.infer<typeof ZipkinSpanJson>;

function toEndpoint(e: SpanJson["localEndpoint"]): ZipkinEndpoint | null {
  if (!e) return null;
  return {
    serviceName: e.serviceName ? e.serviceName.toLowerCase() : null,
    ipv4: e.ipv4 || null,
    ipv6: e.ipv6 || null,
    port: e.port || null,
  };
}

const big = (v: number | string | null | undefined): bigint | null =>
  v === null || v === undefined ? null : BigInt(v);

export function convertJsonSpan(s: SpanJson): ZipkinSpan {
  return {
    traceId: s.traceId.toLowerCase(),
    id: s.id.toLowerCase(),
    parentId: s.parentId ? s.parentId.toLowerCase() : null,
    kind: s.kind ?? null,
    name: s.name ?? "",
    timestampUs: big(s.timestamp),
    durationUs: big(s.duration),
    localEndpoint: toEndpoint(s.localEndpoint),
    remoteEndpoint: toEndpoint(s.remoteEndpoint),
    annotations: (s.annotations ?? []).map((a) => ({ timestampUs: BigInt(a.timestamp), value: a.value })),
    tags: s.tags ?? {},
    debug: s.debug === true,
    shared: s.shared === true,
  };
}
