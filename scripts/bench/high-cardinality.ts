import { startServer } from "../../tests/helpers/start-server";
import { cpuSeconds } from "./proc-stats";

/**
 * Many services (BENCH_SERVICES, default 6,000), each one SERVER span and one CLIENT call to
 * its own external host (so twice as many nodes and as many edges), sent as OTLP/JSON; then
 * the list and map endpoints are timed twice after the writer settled. Reports each answer's
 * time and size and the server's CPU seconds while idle after ingest (the writer's periodic
 * flushes and snapshots at this cardinality), beside the same idle time at 1/10 the services.
 * `small` and `large` raise the cardinality limit above the services sent (the query stage at
 * that size); `limited` sends the large fleet with the default limit (what a sender inventing
 * names gets: the names past CARTOGRAPH_MAX_SERVICES aggregate as one overflow service).
 */
export async function benchHighCardinality(services = Number(process.env.BENCH_SERVICES ?? 6000)) {
  const unlimited = (n: number) => ({ CARTOGRAPH_MAX_SERVICES: String(2 * n + 10) });
  const small = Math.max(1, Math.round(services / 10));
  return {
    small: await run(small, unlimited(small)),
    large: await run(services, unlimited(services)),
    limited: await run(services, {}),
  };
}

async function run(n: number, env: Record<string, string>) {
  const srv = await startServer({ env });
  try {
    const now = BigInt(Date.now()) * 1_000_000n;
    const hex = (v: number, len: number) => v.toString(16).padStart(len, "0");
    for (let b = 0; b < n; b += 1000) {
      const resourceSpans = [];
      for (let i = b; i < Math.min(n, b + 1000); i++) {
        const traceId = hex(i + 1, 32);
        const root = hex(i + 1, 16);
        const span = (id: string, name: string, kind: number, startMs: number, endMs: number, extra = {}) => ({
          traceId,
          spanId: id,
          name,
          kind,
          ...extra,
          startTimeUnixNano: String(now - BigInt(startMs) * 1_000_000n),
          endTimeUnixNano: String(now - BigInt(endMs) * 1_000_000n),
        });
        resourceSpans.push({
          resource: { attributes: [{ key: "service.name", value: { stringValue: `svc-${i}` } }] },
          scopeSpans: [
            {
              spans: [
                span(root, `op-${i}`, 2, 1000, 900),
                span(hex(i + 100_000_001, 16), `call-${i}`, 3, 990, 910, {
                  parentSpanId: root,
                  attributes: [{ key: "server.address", value: { stringValue: `host-${i}.example` } }],
                }),
              ],
            },
          ],
        });
      }
      const r = await fetch(`${srv.otlpHttpUrl}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ resourceSpans }),
      });
      if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${await r.text()}`);
    }
    // Let pairing and the rollup flushes settle, then measure the idle cost of this cardinality.
    await new Promise((r) => setTimeout(r, 15_000));
    const pid = srv.process.pid!;
    const c0 = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 10_000));
    const idleCpuSecondsPer10s = Math.round((cpuSeconds(pid) - c0) * 100) / 100;
    const from = Date.now() - 3600_000;
    const to = Date.now() + 60_000;
    const endpoints: Record<string, { ms: number[]; bytes: number; status: number }> = {};
    for (let rep = 0; rep < 2; rep++) {
      for (const p of ["/api/v1/services", "/api/v1/service-map", "/api/v1/coupling/metrics", "/api/v1/violations"]) {
        const t0 = performance.now();
        const r = await fetch(`${srv.baseUrl}${p}?from=${from}&to=${to}`);
        const body = await r.text();
        const e = (endpoints[p] ??= { ms: [], bytes: body.length, status: r.status });
        e.ms.push(Math.round(performance.now() - t0));
        e.status = r.status;
      }
    }
    return { services: n, idleCpuSecondsPer10s, endpoints };
  } finally {
    await srv.stop();
  }
}
