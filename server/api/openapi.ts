import "server-only";

/**
 * The public contract (shared API.md) as OpenAPI 3.1, served at /api/v1/openapi.json.
 * Shapes are summarised with examples; field-level rules are in the zod schemas of each route.
 */
const windowParams = [
  { name: "from", in: "query", schema: { type: "string" }, description: "epoch ms, RFC 3339 or `now`; default to − 15 min" },
  { name: "to", in: "query", schema: { type: "string" }, description: "epoch ms, RFC 3339 or `now`; default now" },
];
const error = { description: "invalid input", content: { "application/json": { example: { error: { code: "bad-request", message: "from (2000) must be before to (1000)" } } } } };
const stats = { requests: 1200, errors: 12, errorRate: 0.01, rps: 1.33, p50Ms: 12.1, p95Ms: 80.2, p99Ms: 130.9 };
const ok = (example: unknown, description = "OK") => ({ description, content: { "application/json": { example } } });
const path = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });
const q = (name: string, description: string, type = "string") => ({ name, in: "query", schema: { type }, description });
const logParams = [
  ...windowParams,
  q("service", "service.name"),
  q("minSeverity", "1..24 or trace|debug|info|warn|error|fatal"),
  q("q", "free text (full-text index)"),
  q("attr", "key=value, repeatable"),
  q("traceId", "32 hex"),
  q("spanId", "16 hex"),
];
const json = (example: unknown) => ({ required: true, content: { "application/json": { example } } });

export const openApiDocument = {
  openapi: "3.1.0",
  info: { title: "Cartograph API", version: "1", description: "Service map, RED, traces, metrics, coupling findings and alerting over OpenTelemetry data. Errors are {error:{code,message}}; client mistakes are 4xx, never 500." },
  paths: {
    "/v1/traces": { post: { summary: "OTLP/HTTP traces (protobuf or JSON, gzip); also on :4318 and OTLP/gRPC :4317", responses: { 200: { description: "ExportTraceServiceResponse, partial success when items were rejected" }, 400: { description: "malformed (google.rpc.Status)" }, 413: { description: "decompressed body over the cap" }, 415: { description: "unknown content type" }, 503: { description: "overloaded; Retry-After ≤ 5 s" } } } },
    "/v1/metrics": { post: { summary: "OTLP/HTTP metrics; same contract as /v1/traces", responses: { 200: { description: "ExportMetricsServiceResponse" } } } },
    "/api/v1/services": { get: { summary: "Services seen in the window with the RED of what they served", parameters: windowParams, responses: { 200: ok({ services: [{ name: "checkout", namespace: "shop", environment: "prod", ...stats, health: "ok" }] }), 400: error } } },
    "/api/v1/services/{name}/operations": { get: { summary: "RED per operation (span name × kind)", parameters: [path("name"), ...windowParams], responses: { 200: ok({ service: "checkout", operations: [{ name: "POST /checkout", kind: "server", ...stats, health: "ok" }] }), 404: { description: "unknown service" } } } },
    "/api/v1/services/{name}/timeseries": { get: { summary: "RED over time; empty steps have requests 0 and null latencies", parameters: [path("name"), ...windowParams, q("step", "seconds (whole minutes); default ≈ window/60", "number"), q("operation", "one operation only")], responses: { 200: ok({ service: "checkout", stepSeconds: 60, points: [{ t: 1732533600000, requests: 10, errors: 0, errorRate: 0, rps: 0.17, p50Ms: 11, p95Ms: 40, p99Ms: 70 }] }) } } },
    "/api/v1/service-map": { get: { summary: "Typed dependency graph with per-node and per-edge RED", parameters: [...windowParams, q("focus", "node id, e.g. service:checkout"), q("depth", "hops around focus, 1..10", "integer"), q("traceId", "the map of one trace"), q("source", "`rebuild` recomputes from raw spans")], responses: { 200: ok({ nodes: [{ id: "service:checkout", kind: "service", name: "checkout", health: "ok", stats }, { id: "database:postgresql://db-main:5432/orders", kind: "database", name: "orders", system: "postgresql", host: "db-main", port: 5432, database: "orders", stats }], edges: [{ id: "service:checkout->database:postgresql://db-main:5432/orders", source: "service:checkout", target: "database:postgresql://db-main:5432/orders", protocol: "db", stats }], completeness: { pairedCalls: 10000, unpairedClientSpans: 12, expired: 3, dropped: 0 } }) } } },
    "/api/v1/service-map/diff": { get: { summary: "Added / removed / changed nodes and edges between a window and a baseline", parameters: [...windowParams, q("baselineFrom", "default: the equal window before"), q("baselineTo", "")], responses: { 200: ok({ added: { nodes: [], edges: [] }, removed: { nodes: [], edges: [] }, changed: [{ id: "service:a->service:b", kind: "edge", reasons: ["traffic x2.5"] }] }) } } },
    "/api/v1/traces": { get: { summary: "Trace search (filters apply to spans, as in Jaeger); newest first", parameters: [...windowParams, q("service", ""), q("operation", ""), q("status", "error | ok"), q("minDurationMs", "", "number"), q("maxDurationMs", "", "number"), q("attr", "key=value"), q("limit", "1..1000, default 50", "integer")], responses: { 200: ok({ traces: [{ traceId: "5b8efff798038103d269b633813fc60c", rootService: "frontend", rootOperation: "GET /", startTime: 1732533600000, durationMs: 123.4, spanCount: 12, errorCount: 0, services: ["checkout", "frontend"] }] }) } } },
    "/api/v1/traces/{traceId}": { get: { summary: "All spans of a trace (nanosecond times as exact strings)", parameters: [path("traceId")], responses: { 200: ok({ traceId: "5b8e…", spans: [{ spanId: "eee19b7ec3c1b174", parentSpanId: null, service: "frontend", name: "GET /", kind: "server", startTimeUnixNano: "1732533600123456789", endTimeUnixNano: "1732533600223456789", durationMs: 100, status: { code: "ok", message: "" }, attributes: {}, resource: {}, events: [], links: [] }] }), 404: { description: "unknown trace" } } } },
    "/v1/logs": { post: { summary: "OTLP/HTTP logs (protobuf or JSON, gzip); also on :4318 and OTLP/gRPC LogsService on :4317; same contract as /v1/traces", responses: { 200: { description: "ExportLogsServiceResponse, partialSuccess.rejectedLogRecords when records were refused" }, 400: { description: "malformed (google.rpc.Status)" }, 413: { description: "decompressed body over the cap" }, 415: { description: "unknown content type" }, 503: { description: "overloaded; Retry-After ≤ 5 s" } } } },
    "/api/v1/logs": { get: { summary: "Log lines, newest first, with cursor paging. q: every term must occur as a whole word (case- and accent-insensitive), \"a phrase\", prefix*; attr: key=value against log then resource attributes, repeatable", parameters: [...logParams, q("limit", "1..1000, default 100", "integer"), q("cursor", "nextCursor of the previous page")], responses: { 200: ok({ logs: [{ timeUnixNano: "1732533600123456789", observedTimeUnixNano: "1732533600123999999", severityNumber: 17, severityText: "ERROR", body: "card declined", attributes: { "order.id": "o-1" }, resource: { "service.name": "payments" }, service: "payments", traceId: "5b8efff798038103d269b633813fc60c", spanId: "eee19b7ec3c1b174", scope: { name: "app", version: "" } }], nextCursor: "MTczMjUzMzYwMDEyMzQ1Njc4OS4xMg" }), 400: error } } },
    "/api/v1/logs/histogram": { get: { summary: "Counts per step and severity range (unspecified, trace, debug, info, warn, error, fatal); every step present; steps aligned to multiples of step", parameters: [...logParams, q("step", "seconds, 1..86400; default ≈ window/60 rounded", "integer")], responses: { 200: ok({ stepSeconds: 60, buckets: [{ t: 1732533600000, total: 12, counts: { unspecified: 0, trace: 0, debug: 2, info: 8, warn: 1, error: 1, fatal: 0 } }] }), 400: error } } },
    "/api/v1/traces/{traceId}/logs": { get: { summary: "Every log line of a trace, oldest first, regardless of window", parameters: [path("traceId")], responses: { 200: ok({ traceId: "5b8efff798038103d269b633813fc60c", logs: [] }) } } },
    "/api/v1/metrics": { get: { summary: "OTLP metrics seen per service", parameters: [...windowParams, q("service", "")], responses: { 200: ok({ metrics: [{ service: "billing", name: "http.server.duration", type: "histogram", unit: "ms", description: "", monotonic: false, temporality: "cumulative", series: 3 }] }) } } },
    "/api/v1/metrics/query": { get: { summary: "One metric as series per attribute set. Default aggregation by type: cumulative/delta monotonic sums → rate (per second, reset-aware), gauges → avg, histograms and exponential histograms → p95 from bucket counts, summaries → their p95/p50", parameters: [...windowParams, q("service", "required"), q("name", "required"), q("step", "seconds", "number"), q("agg", "avg|max|min|sum|last|rate|increase|p50|p90|p95|p99|count")], responses: { 200: ok({ service: "billing", name: "invoices_total", type: "sum", unit: "", aggregation: "rate", stepSeconds: 60, series: [{ labels: { kind: "a" }, points: [{ t: 1732533600000, v: 0.5 }] }] }) } } },
    "/api/v1/violations": { get: { summary: "Coupling findings with evidence", parameters: [...windowParams, q("rule", ""), q("severity", ""), q("service", "")], responses: { 200: ok({ violations: [{ id: "shared-database:database:postgresql://db-main:5432/orders", rule: "shared-database", severity: "critical", title: "3 services share database orders", message: "…", services: ["billing", "checkout"], resources: ["database:postgresql://db-main:5432/orders"], evidence: { traceIds: [], calls: 5400 }, firstSeen: "2026-11-25T10:00:00Z", lastSeen: "2026-11-25T10:15:00Z" }] }) } } },
    "/api/v1/coupling/metrics": { get: { summary: "Fan-in, fan-out, instability, AIS/ADS, cycle membership per service", parameters: windowParams, responses: { 200: ok({ services: [], system: {} }) } } },
    "/api/v1/coupling/metrics/{service}": { get: { summary: "Coupling metrics of one service", parameters: [path("service"), ...windowParams], responses: { 200: ok({ service: "checkout", fanIn: 2, fanOut: 3, instability: 0.6, inCycle: false }) } } },
    "/api/v1/policy": { get: { summary: "The architecture policy (cartograph.yaml)", responses: { 200: ok({ yaml: "…", valid: true, errors: [] }) } }, put: { summary: "Replace the policy; line-numbered errors on 400", requestBody: json({ yaml: "groups: …" }), responses: { 200: ok({ valid: true }), 400: error } } },
    "/api/v1/alert-rules": { get: { summary: "Alert rules", responses: { 200: ok({ rules: [] }) } }, post: { summary: "Create a rule (field-level errors on 400); see server/alerting/API.md for rule types", requestBody: json({ name: "checkout errors", type: "service_red", metric: "error_rate", op: ">", threshold: 0.05, for: "1m" }), responses: { 201: ok({}), 400: error } } },
    "/api/v1/alert-rules/{id}": { get: { summary: "One rule", parameters: [path("id")], responses: { 200: ok({}) } }, put: { summary: "Update", parameters: [path("id")], responses: { 200: ok({}) } }, delete: { summary: "Delete", parameters: [path("id")], responses: { 200: ok({}) } } },
    "/api/v1/alert-rules/preview": { post: { summary: "The rule's query over the recent window with its threshold", responses: { 200: ok({}) } } },
    "/api/v1/alerts": { get: { summary: "Current alert instances (pending|firing|resolved)", responses: { 200: ok({ alerts: [] }) } } },
    "/api/v1/alerts/history": { get: { summary: "Every state transition", responses: { 200: ok({ history: [] }) } } },
    "/api/v1/silences": { get: { summary: "Silences", responses: { 200: ok({ silences: [] }) } }, post: { summary: "Create a silence (label matchers, start, end)", responses: { 201: ok({}) } } },
    "/api/v1/silences/{id}": { delete: { summary: "Expire a silence", parameters: [path("id")], responses: { 200: ok({}) } } },
    "/api/v1/notification-channels": { get: { summary: "Channels (webhook, alertmanager, slack)", responses: { 200: ok({ channels: [] }) } }, post: { summary: "Create; targets are SSRF-checked", responses: { 201: ok({}) } } },
    "/api/v1/notification-channels/{id}": { put: { summary: "Update", parameters: [path("id")], responses: { 200: ok({}) } }, delete: { summary: "Delete", parameters: [path("id")], responses: { 200: ok({}) } } },
    "/metrics": { get: { summary: "Prometheus exposition of Cartograph's own metrics", responses: { 200: { description: "text/plain" } } } },
    "/healthz": { get: { summary: "Process up", responses: { 200: ok({ status: "ok" }) } } },
    "/readyz": { get: { summary: "Stores reachable and migrated", responses: { 200: ok({ status: "ready" }), 503: ok({ status: "starting" }) } } },
  },
} as const;
