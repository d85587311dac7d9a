// A minimal OTLP/HTTP protobuf receiver for tests: decodes ExportTraceServiceRequest and
// ExportMetricsServiceRequest with the project's OTLP codec, and keeps flat span records in memory.
// Not a product component: no limits, no partial success; tests only.
import http from "node:http";
import zlib from "node:zlib";
import type { AddressInfo } from "node:net";
import { LogsRequest, MetricsRequest, TraceRequest } from "../../server/decode";

export interface ReceivedLog {
  service: string;
  severityNumber: number;
  body: string;
  traceId: string;
  spanId: string;
}

export type AttributeValue = string | number | boolean | null | AttributeValue[];

export interface ReceivedSpan {
  service: string;
  resource: Record<string, AttributeValue>;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  statusCode: number;
  durationMs: number;
  attributes: Record<string, AttributeValue>;
  links: { traceId: string; spanId: string }[];
}

export interface OtlpTestReceiver {
  endpoint: string;
  spans: ReceivedSpan[];
  /** metric name → services that exported it */
  metrics: Map<string, Set<string>>;
  logs: ReceivedLog[];
  close(): Promise<void>;
}

export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

function toHex(bytes: Uint8Array | null | undefined): string {
  return bytes && bytes.length > 0 ? Buffer.from(bytes).toString("hex") : "";
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function readValue(value: any): AttributeValue {
  if (!value) return null;
  if (value.stringValue != null) return value.stringValue;
  if (value.boolValue != null) return value.boolValue;
  if (value.intValue != null) return Number(value.intValue);
  if (value.doubleValue != null) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(readValue);
  return null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function readAttributes(list: any[] | null | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of list ?? []) out[kv.key] = readValue(kv.value);
  return out;
}

function collectSpans(body: Buffer, into: ReceivedSpan[]): void {
  const request = TraceRequest.decode(body);
  for (const rs of request.resourceSpans ?? []) {
    const resource = readAttributes(rs.resource?.attributes);
    const service = String(resource["service.name"] ?? "unknown");
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        into.push({
          service,
          resource,
          traceId: toHex(s.traceId),
          spanId: toHex(s.spanId),
          parentSpanId: toHex(s.parentSpanId),
          name: s.name ?? "",
          kind: s.kind ?? 0,
          statusCode: s.status?.code ?? 0,
          durationMs: (Number(s.endTimeUnixNano ?? 0) - Number(s.startTimeUnixNano ?? 0)) / 1e6,
          attributes: readAttributes(s.attributes),
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          links: (s.links ?? []).map((l: any) => ({ traceId: toHex(l.traceId), spanId: toHex(l.spanId) })),
        });
      }
    }
  }
}

function collectLogs(body: Buffer, into: ReceivedLog[]): void {
  const request = LogsRequest.decode(body);
  for (const rl of request.resourceLogs ?? []) {
    const service = String(readAttributes(rl.resource?.attributes)["service.name"] ?? "unknown");
    for (const sl of rl.scopeLogs ?? []) {
      for (const r of sl.logRecords ?? []) {
        into.push({
          service,
          severityNumber: r.severityNumber ?? 0,
          body: String(readValue(r.body) ?? ""),
          traceId: toHex(r.traceId),
          spanId: toHex(r.spanId),
        });
      }
    }
  }
}

function collectMetricNames(body: Buffer, into: Map<string, Set<string>>): void {
  const request = MetricsRequest.decode(body);
  for (const rm of request.resourceMetrics ?? []) {
    const service = String(readAttributes(rm.resource?.attributes)["service.name"] ?? "unknown");
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        const name = m.name ?? "";
        const set = into.get(name) ?? new Set<string>();
        set.add(service);
        into.set(name, set);
      }
    }
  }
}

export async function startOtlpTestReceiver(port = 0): Promise<OtlpTestReceiver> {
  const spans: ReceivedSpan[] = [];
  const metricNames = new Map<string, Set<string>>();
  const logs: ReceivedLog[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        let body = Buffer.concat(chunks);
        if (req.headers["content-encoding"] === "gzip") body = zlib.gunzipSync(body);
        if (req.url === "/v1/traces") collectSpans(body, spans);
        else if (req.url === "/v1/metrics") collectMetricNames(body, metricNames);
        else if (req.url === "/v1/logs") collectLogs(body, logs);
        else {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      } catch (error) {
        res.writeHead(400).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    spans,
    metrics: metricNames,
    logs,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
