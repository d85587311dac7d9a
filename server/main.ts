import "server-only";
import path from "node:path";
import type http from "node:http";
import { loadConfig, ConfigError, type Config } from "./platform/config";
import { createLogger } from "./platform/logger";
import { findProjectRoot } from "./platform/module-paths";
import { createSelfMetrics } from "./platform/self-metrics";
import {
  flushSelfTracing,
  getSelfTracingStatus,
  markSelfTraceReceiverReady,
  startSelfTracing,
} from "./platform/self-tracing";
import { registerSelfTracingMetrics } from "./platform/self-tracing-metrics";
import { startWriter, startOtlpGrpc } from "./ingest";
import { registerWriterMetrics, type PeerStats } from "./ingest/register-writer-metrics";
import {
  asClickHouseStore,
  describeControlDb,
  openControlDb,
  openTelemetryStore,
  resolveControlDb,
  type ControlDb,
} from "./store";
import { startClickHouseJobs } from "./jobs";
import { createRouter, allRoutes, startQueryPool, createApiContext, startMapLayoutWarming } from "./api";
import { createAppHandler } from "./http/create-app-handler";
import { addressOf, listen } from "./http/listen";
import { startUi } from "./http/start-ui";
import { startAlerting } from "./alerting";
import { defaultLeaseMs, LeaderElection, registerLeaderMetrics } from "./control";
import { AccessService } from "./auth";
import { MapLayoutService } from "./query";
import { createAccessGate } from "./http/access-gate";
import { createDrain } from "./http/drain";
import { checkReadiness } from "./http/readiness";

const projectRoot = findProjectRoot();

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    console.error(`cartograph: ${(e as Error).message}`);
    process.exit(e instanceof ConfigError ? 2 : 1);
  }
  const log = createLogger(config.CARTOGRAPH_LOG_LEVEL);
  const metrics = createSelfMetrics();
  if (await startSelfTracing(config, "main")) {
    log.info(`self-tracing to ${getSelfTracingStatus().url} at ratio ${config.CARTOGRAPH_SELF_TRACES_RATIO}`);
  }
  registerSelfTracingMetrics(metrics.registry);
  const writer = await startWriter(config, log);
  // On ClickHouse the map's peers are folded by the leader's pairing passes (set below).
  let graphPeers: (() => PeerStats) | null = null;
  registerWriterMetrics(metrics, writer, () => graphPeers?.() ?? null);
  const telemetry = await openTelemetryStore(config, "reader");
  const control = await openControl(config, log);
  const ctx = createApiContext(config, log, telemetry, control.db);
  // Imports CARTOGRAPH_POLICY_FILE into the control plane now when it is new or changed.
  await ctx.policy.get();
  ctx.layout = new MapLayoutService({ log });
  ctx.layout.warm();
  // Reads (API and alert evaluation's queries) run in the pool's threads, under a budget.
  const queries = startQueryPool(config, log);
  // The map most users land on is laid out before they arrive (0 turns this off).
  const mapWarming =
    config.CARTOGRAPH_MAP_WARM_MS > 0
      ? startMapLayoutWarming({
          layout: ctx.layout,
          offload: queries.offload,
          log,
          intervalMs: config.CARTOGRAPH_MAP_WARM_MS,
          writerLoopTime: () => writer.loopTime(),
        })
      : null;
  // Work that must run once per cluster runs on the elected leader only (on SQLite: this process).
  const leader = new LeaderElection({
    db: control.db,
    kind: control.kind,
    leaseMs: config.CARTOGRAPH_LEADER_LEASE_MS ?? defaultLeaseMs(config.CARTOGRAPH_ALERT_INTERVAL_MS),
    log,
  });
  registerLeaderMetrics(metrics.registry, leader);
  const alerting = startAlerting({
    config,
    log,
    telemetry,
    metrics,
    dataSource: queries.alertData,
    db: control.db,
    leader,
  });
  // On ClickHouse the service graph (pairing passes over every instance's spans) and retention
  // are cluster-wide work: registered here, run by whichever instance leads.
  const clickhouse = asClickHouseStore(telemetry);
  if (clickhouse) graphPeers = (await startClickHouseJobs({ config, log, leader, store: clickhouse })).peerStats;
  await leader.start();
  ctx.alerting = alerting.service;
  const access = new AccessService(control.db, config, log);
  await access.bootstrap();
  ctx.access = access;
  log.info(
    `authentication ${access.authEnabled ? "on" : "off"} (CARTOGRAPH_AUTH=${config.CARTOGRAPH_AUTH}); ingest keys ${access.ingestKeysRequired ? "required" : "off"}`,
  );
  const drain = createDrain();
  const readiness = () => ({
    ...checkReadiness({
      writer: writer.ready(),
      telemetry: telemetry.ready(),
      queries: queries.health(),
      draining: drain.draining(),
    }),
    telemetryStore: config.CARTOGRAPH_STORE,
    leader: leader.status(),
  });
  const isReady = () => readiness().ready;
  const checkIngestKey = access.ingestKeysRequired ? (key: string | undefined) => access.checkIngest(key) : undefined;
  const ingestDeps = { config, writer, metrics, isReady, readiness, log, checkIngestKey };
  const host = config.CARTOGRAPH_HOST;
  const servers: http.Server[] = [];
  let grpcServer: { tryShutdown(cb: () => void): void } | null = null;

  // SIGTERM: refuse new work, stop the alert scheduler (its last tick's notifications are in
  // the outbox, so the next process sends each once), let in-flight requests finish within the
  // grace period, then flush the writer (everything acknowledged is committed) and exit.
  const shutdown = async (code: number) => {
    log.info("shutting down: draining in-flight requests");
    await drain.start(servers, config.CARTOGRAPH_SHUTDOWN_GRACE_MS, async () => {
      grpcServer?.tryShutdown(() => undefined);
      await leader.stop();
      await alerting.stop();
    });
    log.info("in-flight requests done; closing the store");
    await flushSelfTracing();
    await writer.close();
    await queries.close();
    mapWarming?.stop();
    await ctx.layout?.close();
    await telemetry.close();
    await control.db.$disconnect();
    process.exit(code);
  };
  process.once("SIGTERM", () => void shutdown(0));
  process.once("SIGINT", () => void shutdown(0));

  try {
    if (config.CARTOGRAPH_HTTP_PORT !== 0) {
      const ui = config.CARTOGRAPH_UI ? await startUi(projectRoot, host, config.CARTOGRAPH_HTTP_PORT) : null;
      const handler = createAppHandler({
        ...ingestDeps,
        api: createRouter(allRoutes, ctx, queries.offload),
        ui,
        gate: createAccessGate(config, access),
      });
      const s = await listen(drain.track(handler), host, config.CARTOGRAPH_HTTP_PORT, "UI/API");
      servers.push(s);
      log.info(`UI and API listening on ${addressOf(s)}${ui ? "" : " (UI disabled)"}`);
    }
    if (config.CARTOGRAPH_OTLP_HTTP_PORT !== 0) {
      const s = await listen(
        drain.track(createAppHandler({ ...ingestDeps, api: null, ui: null, gate: null })),
        host,
        config.CARTOGRAPH_OTLP_HTTP_PORT,
        "OTLP/HTTP",
      );
      servers.push(s);
      log.info(`OTLP/HTTP listening on ${addressOf(s)}${config.CARTOGRAPH_OTLP_TRACES_PATH}`);
    }
    if (config.CARTOGRAPH_ZIPKIN_PORT !== 0) {
      const s = await listen(
        drain.track(createAppHandler({ ...ingestDeps, api: null, ui: null, gate: null })),
        host,
        config.CARTOGRAPH_ZIPKIN_PORT,
        "Zipkin",
      );
      servers.push(s);
      log.info(`Zipkin listening on ${addressOf(s)}/api/v2/spans`);
    }
    if (config.CARTOGRAPH_OTLP_GRPC_PORT !== 0) {
      const g = await startOtlpGrpc(host, config.CARTOGRAPH_OTLP_GRPC_PORT, ingestDeps);
      grpcServer = g.server;
      log.info(`OTLP/gRPC listening on ${host}:${g.port}`);
    }
  } catch (e) {
    log.error((e as Error).message);
    console.error(`cartograph: ${(e as Error).message}`);
    await writer.close();
    process.exit(1);
  }
  markSelfTraceReceiverReady();
  log.info(`ready; data in ${path.resolve(config.CARTOGRAPH_DATA_DIR)}`);
}

/** The control plane (SQLite by default, PostgreSQL when configured), migrated; exits 1 when unreachable. */
async function openControl(
  config: Config,
  log: ReturnType<typeof createLogger>,
): Promise<{ db: ControlDb; kind: "sqlite" | "postgresql" }> {
  const target = resolveControlDb(config.CARTOGRAPH_DATA_DIR, config.CARTOGRAPH_CONTROL_DATABASE_URL);
  try {
    const db = await openControlDb(target, (r) => {
      if (r.adopted.length)
        log.info(`control plane: recorded earlier migrations in _prisma_migrations: ${r.adopted.join(", ")}`);
      if (r.applied.length) log.info(`control plane: applied migrations ${r.applied.join(", ")}`);
    });
    log.info(`control plane: ${describeControlDb(target)}`);
    return { db, kind: target.kind };
  } catch (e) {
    const msg = `control plane (${describeControlDb(target)}) unavailable: ${(e as Error).message}`;
    log.error(msg);
    console.error(`cartograph: ${msg}`);
    process.exit(1);
  }
}

void main();
