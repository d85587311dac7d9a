/**
 * Load generator in its own process: replays pre-encoded OTLP/protobuf batches over
 * keep-alive HTTP. Closed loop (concurrency) or open loop (fixed batches/s). Prints a JSON
 * summary: sent, accepted (200), shed (429/503), other statuses, errors.
 * Args: url durationMs concurrency [ratePerSecond] [batchCount]
 */
import http from "node:http";
import { makeBatches, randomRun, uniqueCopy } from "./make-batches";
import { postProtobuf } from "./post-protobuf";

const [url, durationArg, concurrencyArg, rateArg, countArg] = process.argv.slice(2);
// A random run id so two runs against one server never send the same ids.
const run = randomRun();
const durationMs = Number(durationArg);
const concurrency = Number(concurrencyArg);
const rate = Number(rateArg ?? 0);
const batches = makeBatches(Number(countArg ?? 64));
const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(concurrency, 64) });
const target = new URL(url!);
const stats = { sent: 0, accepted: 0, shed: 0, other: 0, errors: 0, acceptedBatches: [] as number[] };

function send(i: number): Promise<void> {
  // Unique trace ids per send: the server deduplicates replays, and a bench must not measure that.
  const body = uniqueCopy(batches[i % batches.length]!, run, i);
  stats.sent++;
  return postProtobuf(target, agent, body).then((status) => {
    if (status === null) stats.errors++;
    else if (status === 200) stats.accepted++;
    else if (status === 429 || status === 503) stats.shed++;
    else stats.other++;
  });
}

const end = Date.now() + durationMs;
let i = 0;
if (rate > 0) {
  const inflight = new Set<Promise<void>>();
  const interval = 1000 / rate;
  const start = Date.now();
  while (Date.now() < end) {
    const due = start + i * interval;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const p = send(i++);
    inflight.add(p);
    void p.then(() => inflight.delete(p));
  }
  await Promise.all(inflight);
} else {
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) await send(i++);
    }),
  );
}
console.log(JSON.stringify({ ...stats, acceptedBatches: undefined, spansPerBatch: 512 }));
agent.destroy();
