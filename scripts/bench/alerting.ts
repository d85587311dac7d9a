import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig } from "../../server/platform/config";
import { createLogger } from "../../server/platform/logger";
import { startAlerting } from "../../server/alerting";
import { openControlDb, resolveControlDb } from "../../server/store";
import type { AlertDataSource, EdgeRow, RedRow } from "../../server/alerting";

/**
 * Alert evaluation cost: 1,000 rules (service, operation and edge RED, for-each, mixed
 * thresholds) over 300 services per tick, including the control-plane writes. The target is
 * well under 2 s per tick. The data source is in memory, so this measures evaluation, state and
 * persistence; the store's own query cost is benched with the query stage.
 */
export async function benchAlerting(opts: { rules?: number; services?: number; ticks?: number } = {}) {
  // steady: the same 2 % of services breach every tick; churn: a different 2 % each tick
  // (every tick creates and drops thousands of pending instances: the expensive case).
  // Each once with the whole tick in this thread (the baseline) and once with its control-plane
  // half (rules, planning, the write) in the alert evaluation thread (as the server runs it): `mainStallMs` is the longest the main thread's event loop
  // was held during a tick, i.e. the longest an ingest answer or API read could wait for it.
  const out: Record<string, unknown> = {};
  for (const churn of [false, true]) {
    const inline = await runScenario({ ...opts, churn, thread: false });
    const threaded = await runScenario({ ...opts, churn, thread: true });
    out[churn ? "churn" : "steady"] = {
      inline,
      threaded,
      mainStallRatio: Math.round((threaded.mainStallMs / inline.mainStallMs) * 1000) / 1000,
    };
  }
  return out;
}

/** The longest gap between 1 ms timer callbacks while `fn` runs: how long the event loop was held. */
async function measureStall<T>(fn: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const t = performance.now();
    worst = Math.max(worst, t - last);
    last = t;
  }, 1);
  try {
    const result = await fn();
    worst = Math.max(worst, performance.now() - last);
    return { result, stallMs: worst };
  } finally {
    clearInterval(timer);
  }
}

async function runScenario(opts: {
  rules?: number;
  services?: number;
  ticks?: number;
  churn: boolean;
  thread: boolean;
}) {
  const nRules = opts.rules ?? 1000;
  const nServices = opts.services ?? 300;
  const ticks = opts.ticks ?? 5;
  const dir = mkdtempSync(path.join(tmpdir(), "cartograph-bench-alerting-"));
  let tick = 0;
  const shift = () => (opts.churn ? tick : 0);
  const services = (): RedRow[] =>
    Array.from({ length: nServices }, (_, i) => ({
      service: `svc-${i}`,
      requests: 1000,
      // About 2 % of services misbehave (which ones shifts with the tick), the rest are healthy.
      errors: (i + shift()) % 50 === 0 ? 150 : 2,
      p50Ms: 5 + (i % 10),
      p95Ms: (i + shift()) % 50 === 0 ? 900 : 40 + (i % 40),
      p99Ms: (i + shift()) % 50 === 0 ? 1500 : 80 + (i % 60),
    }));
  const operations = (): RedRow[] =>
    services().flatMap((s) => ["GET /a", "POST /b"].map((operation) => ({ ...s, operation })));
  const edges = (): EdgeRow[] =>
    services().map((s, i) => ({
      ...s,
      source: `service:${s.service}`,
      target: `service:svc-${(i + 1) % nServices}`,
      sourceName: s.service,
      targetName: `svc-${(i + 1) % nServices}`,
    }));
  let queries = 0;
  const ds: AlertDataSource = {
    serviceRed: async () => (queries++, services()),
    operationRed: async () => (queries++, operations()),
    edgeRed: async () => (queries++, edges()),
    metricValue: async () => [],
    violations: async () => [],
  };
  let now = Date.parse("2026-11-25T10:00:00Z");
  const config = loadConfig({ CARTOGRAPH_DATA_DIR: dir, CARTOGRAPH_ALERT_INTERVAL_MS: "15000" });
  const controlTarget = resolveControlDb(dir, process.env.BENCH_CONTROL_DATABASE_URL);
  const db = await openControlDb(controlTarget);
  const alerting = startAlerting({
    config,
    log: createLogger("error"),
    now: () => now,
    dataSource: ds,
    autoStart: false,
    db,
    evaluationThread: opts.thread,
    controlTarget,
  });
  try {
    const types = ["service", "operation", "edge"] as const;
    const signals = ["error_rate", "latency_p95", "latency_p99", "request_rate"] as const;
    const rows = Array.from({ length: nRules }, (_, i) => {
      const signal = signals[i % signals.length]!;
      const threshold =
        signal === "error_rate" ? 0.05 + (i % 10) / 100 : signal === "request_rate" ? 0.5 : 300 + (i % 300);
      const def = {
        type: types[i % types.length]!,
        name: `rule-${i}`,
        enabled: true,
        service: "*",
        operation: "*",
        source: "*",
        target: "*",
        signal,
        forEach: true,
        minRequests: 0,
        op: signal === "request_rate" ? "<" : ">",
        threshold,
        for: 30,
        keepFiringFor: 0,
        labels: {},
        annotations: {},
        channelIds: [],
        onNoData: "no-data",
        onError: "error",
        limit: 10_000,
        windowSeconds: 300,
      };
      return { id: `bench-${i}`, name: def.name, enabled: true, definition: JSON.stringify(def) };
    });
    await alerting.service.db.alertRule.createMany({ data: rows });
    const times: number[] = [];
    const stalls: number[] = [];
    for (let t = 0; t < ticks; t++) {
      tick = t;
      const start = performance.now();
      const { stallMs } = await measureStall(() => alerting.service.engine.evaluate(now));
      times.push(performance.now() - start);
      stalls.push(stallMs);
      now += 15_000;
    }
    const instances = Object.values(alerting.service.engine.stateCounts()).reduce((a, b) => a + b, 0);
    const sorted = [...times].sort((a, b) => a - b);
    return {
      name: `${opts.churn ? "alerting-churn" : "alerting-steady"}${opts.thread ? "-thread" : "-inline"}`,
      rules: nRules,
      services: nServices,
      ticks,
      queriesPerTick: queries / ticks,
      instances,
      firstTickMs: Math.round(times[0]!),
      medianTickMs: Math.round(sorted[Math.floor(sorted.length / 2)]!),
      maxTickMs: Math.round(sorted[sorted.length - 1]!),
      mainStallMs: Math.round(Math.max(...(stalls.length > 1 ? stalls.slice(1) : stalls))),
    };
  } finally {
    await alerting.stop();
    await db.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchAlerting().then((r) => console.log(JSON.stringify(r, null, 2)));
}
