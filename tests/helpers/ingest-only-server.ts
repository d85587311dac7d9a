/**
 * The ingest path alone (OTLP/HTTP listener + the real writer thread on a real SQLite file),
 * for crash trials that restart the process many times: it starts in a fraction of the full
 * server's time (no UI, API, query or alerting threads). Prints "ready <port>" when listening.
 * Run: node --import ./scripts/runtime/register.mjs tests/helpers/ingest-only-server.ts
 */
import http from "node:http";
import { loadConfig } from "../../server/platform/config";
import { createLogger } from "../../server/platform/logger";
import { createSelfMetrics } from "../../server/platform/self-metrics";
import { handleOtlpHttp, matchOtlpPath, startWriter } from "../../server/ingest";

const config = loadConfig();
const log = createLogger("warn");
const writer = await startWriter(config, log);
const deps = { config, writer, metrics: createSelfMetrics() };
const server = http.createServer((req, res) => {
  const signal = matchOtlpPath((req.url ?? "/").split("?")[0]!, config);
  if (signal) return void handleOtlpHttp(req, res, signal, deps);
  res.writeHead(404).end();
});
server.listen(0, "127.0.0.1", () => {
  const a = server.address() as { port: number };
  process.stdout.write(`ready ${a.port}\n`);
});
