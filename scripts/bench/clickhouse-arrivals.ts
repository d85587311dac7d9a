/**
 * What the span_arrivals rows cost at ingest on ClickHouse (BENCH_ONLY=clickhouseArrivals): the
 * store's append path (512-span batches of 4-span traces, each batch in a minute of its own) into
 * two databases on one loopback node, one as migrated (arrival rows written by the materialized
 * view on trace_index) and one whose view was dropped (no arrival rows), in alternating blocks.
 * CPU per stored span of this process (Cartograph's side of an append) and of ClickHouse, each
 * block measured once ClickHouse's merges are done. The machine is shared: read the paired
 * ratios (each block against the other variant's block beside it), not single figures.
 */
import { startClickHouse } from "../../tests/helpers/clickhouse";
import { openClickHouseStore } from "../../server/store";
import type { Span } from "../../server/normalize";
import { cpuSeconds } from "./proc-stats";

const SPB = 512;
const VARIANTS = ["without", "view"] as const;
type Variant = (typeof VARIANTS)[number];

function spanBatches(count: number, startMs: number, firstTrace: number): Span[][] {
  const out: Span[][] = [];
  let trace = firstTrace;
  for (let b = 0; b < count; b++) {
    const minute = startMs - (firstTrace / (SPB / 4) + b) * 60_000;
    const spans: Span[] = [];
    for (let t = 0; t < SPB / 4; t++, trace++) {
      const traceId = trace.toString(16).padStart(32, "0");
      for (let i = 0; i < 4; i++)
        spans.push({
          traceId,
          spanId: `${i + 1}`.padStart(16, "0"),
          parentSpanId: i === 0 ? null : `${i}`.padStart(16, "0"),
          name: i % 2 ? "GET /items" : "SELECT items",
          kind: i % 2 ? 3 : 2,
          startNs: BigInt(minute + t * 100 + i) * 1_000_000n,
          endNs: BigInt(minute + t * 100 + i + 5) * 1_000_000n,
          statusCode: 0,
          statusMessage: "",
          attributes: { "http.request.method": "GET", "server.address": `svc-${i}`, "http.response.status_code": 200 },
          events: [],
          links: [],
          scope: { name: "bench", version: "1" },
          resource: {
            service: `svc-${(trace + i) % 20}`,
            namespace: null,
            environment: null,
            attributes: { "service.name": `svc-${(trace + i) % 20}` },
          },
        });
    }
    out.push(spans);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quartiles = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor(s.length / 4)]!, s[Math.floor((3 * s.length) / 4)]!].map((x) => Math.round(x * 100) / 100);
};

export async function benchClickHouseArrivals(
  blocks = Number(process.env.BENCH_ARRIVAL_BLOCKS ?? 16),
  batchesPerBlock = Number(process.env.BENCH_ARRIVAL_BATCHES ?? 20),
) {
  const ch = await startClickHouse();
  const url = ch.nodes[0]!.url;
  const chPid = ch.nodes[0]!.process.pid!;
  const open = (database: string) =>
    openClickHouseStore({ urls: [url], database, user: "default", password: "", cluster: null });
  const stores: Record<Variant, ReturnType<typeof open>> = { without: open("cg_without"), view: open("cg_view") };
  const query = async (sql: string) => (await fetch(`${url}/`, { method: "POST", body: sql })).text();
  // ClickHouse's merges of the last block's parts finish before a block starts and are counted in it.
  const settled = async () => {
    for (let i = 0; i < 120 && (await query("SELECT count() FROM system.merges")).trim() !== "0"; i++)
      await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 1000));
  };
  const runs: Record<Variant, { node: number; clickhouse: number }[]> = { without: [], view: [] };
  const startMs = Date.now() - 60_000;
  let trace = 0;
  const take = (n: number) => {
    const batches = spanBatches(n, startMs, trace);
    trace += n * (SPB / 4);
    return batches;
  };
  try {
    for (const s of Object.values(stores)) await s.migrate();
    await query("DROP TABLE cg_without.span_arrivals_mv");
    for (const v of VARIANTS) for (const b of take(5)) await stores[v].appendSpans(b); // warm-up
    for (let block = 0; block < blocks; block++) {
      for (const v of block % 2 ? [...VARIANTS].reverse() : VARIANTS) {
        const batches = take(batchesPerBlock);
        await settled();
        const own0 = process.cpuUsage();
        const ch0 = cpuSeconds(chPid);
        for (const b of batches) await stores[v].appendSpans(b);
        await settled();
        const own = process.cpuUsage(own0);
        const spans = batchesPerBlock * SPB;
        runs[v].push({ node: (own.user + own.system) / spans, clickhouse: ((cpuSeconds(chPid) - ch0) * 1e6) / spans });
      }
    }
    const arrivals = Number(await query("SELECT count() FROM cg_view.span_arrivals"));
    const ratio = (k: "node" | "clickhouse") => runs.view.map((r, i) => r[k] / runs.without[i]![k]);
    const round = (x: number) => Math.round(x * 100) / 100;
    return {
      blocks,
      spansPerBlock: batchesPerBlock * SPB,
      arrivalRowsPerSpan: round(arrivals / ((blocks * batchesPerBlock + 5) * SPB)),
      microsPerSpan: Object.fromEntries(
        VARIANTS.map((v) => [
          v,
          {
            cartograph: round(median(runs[v].map((r) => r.node))),
            clickhouse: round(median(runs[v].map((r) => r.clickhouse))),
          },
        ]),
      ),
      viewOverWithout: {
        cartograph: { median: round(median(ratio("node"))), quartiles: quartiles(ratio("node")) },
        clickhouse: { median: round(median(ratio("clickhouse"))), quartiles: quartiles(ratio("clickhouse")) },
      },
    };
  } finally {
    for (const s of Object.values(stores)) await s.close();
    await ch.stop();
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1])
  console.log(JSON.stringify(await benchClickHouseArrivals(), null, 2));
