import "server-only";
import { MetricsRequest, TraceRequest } from "./otlp-codec";
import { MetricsRequestJson, TraceRequestJson } from "./otlp-json";

export type Encoding = "protobuf" | "json";

/** The body cannot be decoded at all: the whole request is rejected with 400. */
export class DecodeError extends Error {}

/**
 * One OTLP object shape for both encodings: protobufjs message objects, or validated
 * OTLP/JSON objects with the same field names. Ids are bytes (protobuf) or hex strings
 * (JSON); 64-bit integers are Long (protobuf) or strings/numbers (JSON). normalize reads
 * both, touching each span once.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OtlpObject = any;

const utf8 = new TextDecoder("utf-8", { fatal: true });

// 64-bit integers beyond 2^53 lose precision in JSON.parse: quote them before parsing.
const BIG_INT_FIELDS =
  /("(?:startTimeUnixNano|endTimeUnixNano|timeUnixNano|observedTimeUnixNano|intValue|asInt)"\s*:\s*)(-?\d{16,})/g;

export function parseJson(body: Uint8Array, what: string): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new DecodeError(`${what}: body is not valid UTF-8`);
  }
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text.replace(BIG_INT_FIELDS, '$1"$2"'));
  } catch (e) {
    throw new DecodeError(`${what}: malformed JSON: ${(e as Error).message}`);
  }
}

export function describeZod(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`)
    .join("; ");
}

export function decodeTraceRequest(body: Uint8Array, encoding: Encoding): OtlpObject {
  if (encoding === "protobuf") {
    try {
      return TraceRequest.decode(body);
    } catch (e) {
      throw new DecodeError(`ExportTraceServiceRequest: malformed protobuf: ${(e as Error).message}`);
    }
  }
  const parsed = TraceRequestJson.safeParse(parseJson(body, "ExportTraceServiceRequest"));
  if (!parsed.success) {
    throw new DecodeError(`ExportTraceServiceRequest: ${describeZod(parsed.error.issues)}`);
  }
  return parsed.data;
}

export function decodeMetricsRequest(body: Uint8Array, encoding: Encoding): OtlpObject {
  if (encoding === "protobuf") {
    try {
      return MetricsRequest.decode(body);
    } catch (e) {
      throw new DecodeError(`ExportMetricsServiceRequest: malformed protobuf: ${(e as Error).message}`);
    }
  }
  const parsed = MetricsRequestJson.safeParse(parseJson(body, "ExportMetricsServiceRequest"));
  if (!parsed.success) {
    throw new DecodeError(`ExportMetricsServiceRequest: ${describeZod(parsed.error.issues)}`);
  }
  return parsed.data;
}
