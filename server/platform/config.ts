import "server-only";
import { z } from "zod";

/**
 * The one module that reads process.env. Every port, path, limit and retention setting
 * lives here, validated with zod; a bad value stops the process with a message naming it.
 */
const port = z.coerce.number().int().min(0).max(65535);
const bytes = z.coerce.number().int().positive();
const bool = z.enum(["true", "false", "1", "0", "on", "off"]).transform((v) => v === "true" || v === "1" || v === "on");

export const ConfigSchema = z.object({
  CARTOGRAPH_DATA_DIR: z.string().min(1).default("./data"),
  /** Telemetry store backend (server/store/telemetry-store.ts): embedded SQLite or ClickHouse. */
  CARTOGRAPH_STORE: z.enum(["sqlite", "clickhouse"]).default("sqlite"),
  CARTOGRAPH_HOST: z.string().min(1).default("0.0.0.0"),
  CARTOGRAPH_HTTP_PORT: port.default(3000),
  CARTOGRAPH_OTLP_HTTP_PORT: port.default(4318),
  CARTOGRAPH_OTLP_GRPC_PORT: port.default(4317),
  /** Zipkin collector port (POST /api/v2/spans); the HTTP port accepts it too. 0 disables. */
  CARTOGRAPH_ZIPKIN_PORT: port.default(9411),
  /** Serve the Next.js UI on the HTTP port (off: JSON API and OTLP only, no build needed). */
  CARTOGRAPH_UI: bool.default(true),
  CARTOGRAPH_OTLP_TRACES_PATH: z.string().startsWith("/").default("/v1/traces"),
  CARTOGRAPH_OTLP_METRICS_PATH: z.string().startsWith("/").default("/v1/metrics"),
  CARTOGRAPH_OTLP_LOGS_PATH: z.string().startsWith("/").default("/v1/logs"),
  /** Longest stored log body (characters); longer bodies are truncated and counted. */
  CARTOGRAPH_MAX_LOG_BODY_LENGTH: bytes.default(65_536),
  /** Cap on the decompressed request body. */
  CARTOGRAPH_MAX_BODY_BYTES: bytes.default(64 * 1024 * 1024),
  /** Bytes of accepted-but-unwritten requests allowed in the write queue before shedding. */
  CARTOGRAPH_QUEUE_MAX_BYTES: bytes.default(128 * 1024 * 1024),
  CARTOGRAPH_QUEUE_MAX_REQUESTS: bytes.default(256),
  CARTOGRAPH_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(5).default(1),
  CARTOGRAPH_MAX_ATTRIBUTE_VALUE_LENGTH: bytes.default(4096),
  CARTOGRAPH_MAX_ATTRIBUTE_DEPTH: bytes.default(8),
  CARTOGRAPH_MAX_ATTRIBUTES: bytes.default(256),
  /**
   * Cardinality limits of the aggregates (service catalog, RED, service graph): names first
   * seen beyond them aggregate as "(overflow)"; stored spans keep their names.
   */
  CARTOGRAPH_MAX_SERVICES: z.coerce.number().int().positive().default(2_000),
  CARTOGRAPH_MAX_OPERATIONS_PER_SERVICE: z.coerce.number().int().positive().default(500),
  CARTOGRAPH_MAX_ENVIRONMENTS: z.coerce.number().int().positive().default(100),
  /** Longest the writer waits to group requests into one transaction. */
  CARTOGRAPH_FLUSH_INTERVAL_MS: z.coerce.number().int().min(0).max(5000).default(20),
  /** How often in-memory rollups (RED, edges) are written out. */
  CARTOGRAPH_ROLLUP_FLUSH_MS: z.coerce.number().int().min(100).max(60000).default(2000),
  CARTOGRAPH_RETENTION_RAW_HOURS: z.coerce
    .number()
    .positive()
    .default(24 * 7),
  CARTOGRAPH_RETENTION_ROLLUP_HOURS: z.coerce
    .number()
    .positive()
    .default(24 * 30),
  /** Disk budget for the telemetry database; oldest raw data goes first when above it. 0 = none. */
  CARTOGRAPH_DISK_BUDGET_BYTES: z.coerce.number().int().min(0).default(0),
  CARTOGRAPH_RETENTION_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  /** SQLite synchronous level for the telemetry store. NORMAL in WAL survives a process kill. */
  CARTOGRAPH_SQLITE_SYNCHRONOUS: z.enum(["OFF", "NORMAL", "FULL"]).default("NORMAL"),
  CARTOGRAPH_PAIRING_WAIT_MS: z.coerce.number().int().min(0).default(10_000),
  CARTOGRAPH_PAIRING_MAX_ITEMS: z.coerce.number().int().positive().default(200_000),
  /** Query threads answering reads (API reads and alert evaluation's queries). */
  CARTOGRAPH_QUERY_THREADS: z.coerce.number().int().min(1).max(16).default(2),
  /** Budget of one read from arrival; past it the read answers 503 (queued) or 504 (running). */
  CARTOGRAPH_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /**
   * How often the server lays out the map the UI opens on (default view of the busiest
   * environment, last 15 minutes) ahead of any visit, so a first visit finds it ready; 0: never.
   */
  CARTOGRAPH_MAP_WARM_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  /** Reads allowed to wait for a query thread; past it 503 + Retry-After. */
  CARTOGRAPH_QUERY_QUEUE_MAX: z.coerce.number().int().min(1).max(10_000).default(64),
  /** How long SIGTERM waits for in-flight requests before exiting anyway. */
  CARTOGRAPH_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  CARTOGRAPH_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Comma-separated CIDRs/hosts that webhook targets may use even though private or loopback. */
  CARTOGRAPH_WEBHOOK_ALLOW: z.string().default(""),
  CARTOGRAPH_POLICY_FILE: z.string().default("./cartograph.yaml"),
  CARTOGRAPH_ALERT_INTERVAL_MS: z.coerce.number().int().min(100).default(15_000),
  /**
   * Base URL of this Cartograph as users reach it; alert links, generatorURL and the setup link
   * use it. Unset: http://localhost:<CARTOGRAPH_HTTP_PORT> (see loadConfig).
   */
  CARTOGRAPH_PUBLIC_URL: z.url().optional(),
  /**
   * Self-tracing (OpenTelemetry): `off` (the SDK is not even loaded), `self` (to this
   * process's own OTLP/HTTP receiver, as service `cartograph`), or an OTLP/HTTP traces URL.
   */
  CARTOGRAPH_SELF_TRACES: z
    .union([
      z.enum(["off", "self"]),
      z.url({
        protocol: /^https?$/,
        error: "must be off, self, or an http(s) OTLP/HTTP traces URL such as http://collector:4318/v1/traces",
      }),
    ])
    .default("off"),
  /** Head sampling: the share of root operations (requests, job runs) traced, 0..1. */
  CARTOGRAPH_SELF_TRACES_RATIO: z.coerce.number().min(0).max(1).default(0.1),
  /** Authentication: `auto` is on whenever CARTOGRAPH_HOST is not a loopback address. */
  CARTOGRAPH_AUTH: z.enum(["auto", "on", "off"]).default("auto"),
  /** Seeds the user `admin` with this password when no user of that name exists. */
  CARTOGRAPH_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").max(1024).optional(),
  /** Extra Host names (comma-separated) the UI/API port answers; loopback names, IP literals and the public URL's host always pass. */
  CARTOGRAPH_ALLOWED_HOSTS: z.string().default(""),
  /** OTLP/Zipkin ingest: `keys` requires an ingest key (Authorization: Bearer or x-cartograph-ingest-key, gRPC metadata alike). */
  CARTOGRAPH_INGEST_AUTH: z.enum(["off", "keys"]).default("off"),
  /** Default per-key rate limit for new ingest keys (requests per second; burst of twice that). */
  CARTOGRAPH_INGEST_KEY_RATE: z.coerce.number().positive().max(1_000_000).default(100),
  /** Lifetime of a login session. */
  CARTOGRAPH_SESSION_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 365)
    .default(24 * 7),
  /**
   * Control plane (rules, channels, silences, alert state, users, keys): unset is SQLite in the
   * data dir; `postgres://user:pass@host:5432/db` shares it between instances (leader election
   * included); `file:/path/control.db` puts the SQLite file elsewhere.
   */
  CARTOGRAPH_CONTROL_DATABASE_URL: z
    .string()
    .regex(
      /^(postgres(ql)?:\/\/\S+|file:\S+)$/,
      "must be a postgres://user:password@host:port/database URL or file:/path/to/control.db",
    )
    .optional(),
  /** Leader lease (PostgreSQL control plane): a dead leader is replaced within about 4/3 of it. Default: 2/3 of the alert interval, 1..15 s. */
  CARTOGRAPH_LEADER_LEASE_MS: z.coerce.number().int().min(300).max(120_000).optional(),
  /** ClickHouse HTTP URL(s), comma-separated: queries go to the first; with a cluster, schema is applied on each. */
  CARTOGRAPH_CLICKHOUSE_URL: z
    .string()
    .refine(
      (v) => v.split(",").every((u) => /^https?:\/\/[^\s/]+(\/)?$/.test(u.trim())),
      "must be http(s)://host:port, comma-separated for several nodes",
    )
    .optional(),
  CARTOGRAPH_CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a plain identifier")
    .default("cartograph"),
  CARTOGRAPH_CLICKHOUSE_USER: z.string().min(1).default("default"),
  CARTOGRAPH_CLICKHOUSE_PASSWORD: z.string().default(""),
  /** remote_servers cluster name: tables become local MergeTree + Distributed sharded by trace id. Empty: one node. */
  CARTOGRAPH_CLICKHOUSE_CLUSTER: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a plain identifier")
    .optional(),
  /** Width of one cluster pairing pass (service graph on ClickHouse); a pass runs once its window closed plus the pairing wait. */
  CARTOGRAPH_CLICKHOUSE_PAIRING_STEP_MS: z.coerce.number().int().min(1000).max(600_000).default(10_000),
});

export type Config = Omit<z.infer<typeof ConfigSchema>, "CARTOGRAPH_PUBLIC_URL"> & { CARTOGRAPH_PUBLIC_URL: string };

export class ConfigError extends Error {}

/** Variables whose values never appear in a message or log line. */
const SECRET_KEYS = new Set([
  "CARTOGRAPH_ADMIN_PASSWORD",
  "CARTOGRAPH_CONTROL_DATABASE_URL",
  "CARTOGRAPH_CLICKHOUSE_PASSWORD",
]);

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== "") picked[key] = v;
  }
  const parsed = ConfigSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) =>
        `  ${i.path.join(".")}=${SECRET_KEYS.has(String(i.path[0])) ? "(hidden)" : JSON.stringify(picked[String(i.path[0])])}: ${i.message}`,
    );
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const c = {
    ...parsed.data,
    CARTOGRAPH_PUBLIC_URL: parsed.data.CARTOGRAPH_PUBLIC_URL ?? `http://localhost:${parsed.data.CARTOGRAPH_HTTP_PORT}`,
  };
  if (c.CARTOGRAPH_SELF_TRACES === "self" && c.CARTOGRAPH_OTLP_HTTP_PORT === 0 && c.CARTOGRAPH_HTTP_PORT === 0) {
    throw new ConfigError(
      'invalid configuration:\n  CARTOGRAPH_SELF_TRACES="self": needs an OTLP/HTTP receiver (CARTOGRAPH_OTLP_HTTP_PORT or CARTOGRAPH_HTTP_PORT not 0)',
    );
  }
  if (c.CARTOGRAPH_STORE === "clickhouse" && !c.CARTOGRAPH_CLICKHOUSE_URL) {
    throw new ConfigError(
      'invalid configuration:\n  CARTOGRAPH_STORE="clickhouse": needs CARTOGRAPH_CLICKHOUSE_URL (e.g. http://clickhouse:8123)',
    );
  }
  return c;
}

/** The limits an ingested item's attributes and log body are cut to (the normalize stage's AttributeLimits and LogLimits). */
export function readIngestLimits(config: Config) {
  return {
    maxValueLength: config.CARTOGRAPH_MAX_ATTRIBUTE_VALUE_LENGTH,
    maxDepth: config.CARTOGRAPH_MAX_ATTRIBUTE_DEPTH,
    maxAttributes: config.CARTOGRAPH_MAX_ATTRIBUTES,
    maxBodyLength: config.CARTOGRAPH_MAX_LOG_BODY_LENGTH,
  };
}
