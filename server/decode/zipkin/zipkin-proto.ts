import "server-only";
import { createRequire } from "node:module";
import type { ZipkinEndpoint, ZipkinKind, ZipkinSpan } from "./types";

/**
 * zipkin.proto3 (package zipkin.proto3) as a protobufjs JSON descriptor: the wire contract of
 * `application/x-protobuf` bodies on POST /api/v2/spans. Field numbers follow the published
 * proto; ids are big-endian bytes (8 or 16), timestamps fixed64 microseconds.
 */
const require = createRequire(import.meta.url);
const protobuf = require("protobufjs/light");

const DESCRIPTOR = {
  nested: {
    zipkin: {
      nested: {
        proto3: {
          nested: {
            Endpoint: {
              fields: {
                serviceName: { type: "string", id: 1 },
                ipv4: { type: "bytes", id: 2 },
                ipv6: { type: "bytes", id: 3 },
                port: { type: "int32", id: 4 },
              },
            },
            Annotation: { fields: { timestamp: { type: "fixed64", id: 1 }, value: { type: "string", id: 2 } } },
            Span: {
              fields: {
                traceId: { type: "bytes", id: 1 },
                parentId: { type: "bytes", id: 2 },
                id: { type: "bytes", id: 3 },
                kind: { type: "Kind", id: 4 },
                name: { type: "string", id: 5 },
                timestamp: { type: "fixed64", id: 6 },
                duration: { type: "uint64", id: 7 },
                localEndpoint: { type: "Endpoint", id: 8 },
                remoteEndpoint: { type: "Endpoint", id: 9 },
                annotations: { rule: "repeated", type: "Annotation", id: 10 },
                tags: { keyType: "string", type: "string", id: 11 },
                debug: { type: "bool", id: 12 },
                shared: { type: "bool", id: 13 },
              },
              nested: {
                Kind: { values: { SPAN_KIND_UNSPECIFIED: 0, CLIENT: 1, SERVER: 2, PRODUCER: 3, CONSUMER: 4 } },
              },
            },
            ListOfSpans: { fields: { spans: { rule: "repeated", type: "Span", id: 1 } } },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(DESCRIPTOR);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ListOfSpans: any = root.lookupType("zipkin.proto3.ListOfSpans");

const KINDS: (ZipkinKind | null)[] = [null, "CLIENT", "SERVER", "PRODUCER", "CONSUMER"];

/** Thrown with the index of the span and the field that is wrong. */
export class ZipkinFieldError extends Error {
  constructor(
    readonly index: number,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function hexOf(b: Uint8Array | undefined | null): string {
  return b && b.length ? Buffer.from(b.buffer, b.byteOffset, b.length).toString("hex") : "";
}

function ipOf(b: Uint8Array | undefined | null, v6: boolean): string | null {
  if (!b || b.length === 0) return null;
  if (!v6 && b.length === 4) return Array.from(b).join(".");
  if (v6 && b.length === 16) {
    const parts: string[] = [];
    for (let i = 0; i < 16; i += 2) parts.push(((b[i]! << 8) | b[i + 1]!).toString(16));
    return parts.join(":");
  }
  return null;
}

/** fixed64 / uint64 as Long (protobufjs with `long` installed) or number → bigint; null when zero or absent. */
function microsOf(v: unknown): bigint | null {
  if (v == null) return null;
  let n: bigint;
  if (typeof v === "number") n = BigInt(v);
  else if (typeof v === "object" && "low" in v && "high" in v) {
    const l = v as { low: number; high: number };
    n = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  } else return null;
  return n === 0n ? null : n;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function endpointOf(e: any, i: number, field: string): ZipkinEndpoint | null {
  if (!e) return null;
  const ipv4 = ipOf(e.ipv4, false);
  if (e.ipv4?.length && ipv4 === null) throw new ZipkinFieldError(i, `${field}.ipv4`, "must be 4 bytes");
  const ipv6 = ipOf(e.ipv6, true);
  if (e.ipv6?.length && ipv6 === null) throw new ZipkinFieldError(i, `${field}.ipv6`, "must be 16 bytes");
  return { serviceName: e.serviceName ? e.serviceName.toLowerCase() : null, ipv4, ipv6, port: e.port || null };
}

/** A decoded protobuf Span → the shared model; ids of a wrong byte length name their field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function convertProtoSpan(s: any, i: number): ZipkinSpan {
  const traceId = hexOf(s.traceId);
  if (traceId.length !== 16 && traceId.length !== 32) throw new ZipkinFieldError(i, "traceId", "must be 8 or 16 bytes");
  const id = hexOf(s.id);
  if (id.length !== 16) throw new ZipkinFieldError(i, "id", "must be 8 bytes");
  const parentId = hexOf(s.parentId);
  if (parentId !== "" && parentId.length !== 16) throw new ZipkinFieldError(i, "parentId", "must be empty or 8 bytes");
  const kind = KINDS[s.kind ?? 0];
  if (kind === undefined) throw new ZipkinFieldError(i, "kind", `unknown kind ${s.kind}`);
  return {
    traceId,
    id,
    parentId: parentId || null,
    kind,
    name: s.name ?? "",
    timestampUs: microsOf(s.timestamp),
    durationUs: microsOf(s.duration),
    localEndpoint: endpointOf(s.localEndpoint, i, "localEndpoint"),
    remoteEndpoint: endpointOf(s.remoteEndpoint, i, "remoteEndpoint"),
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    annotations: (s.annotations ?? []).map((a: any) => ({
      timestampUs: microsOf(a.timestamp) ?? 0n,
      value: a.value ?? "",
    })),
    tags: { ...(s.tags ?? {}) },
    debug: s.debug === true,
    shared: s.shared === true,
  };
}
