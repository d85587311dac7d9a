// `npm run demo`: runs the instrumented shop fleet against a Cartograph (or any OTLP/HTTP
// receiver). Environment: OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318),
// DEMO_RPS (page views per second, default 3), DEMO_DURATION_S (default: until Ctrl-C),
// DEMO_FAULTS=0 to switch off the error bursts and latency spikes.
// Importable: runDemoFleet and the expected topology are re-exported for tests.
import { pathToFileURL } from "node:url";
import { runDemoFleet } from "./fleet";

export { runDemoFleet } from "./fleet";
export type { DemoFleetHandle, DemoFleetOptions, StartedService } from "./fleet";
export { EXPECTED_TOPOLOGY } from "./expected-topology";

function readPositiveNumber(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} must be a positive number, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const durationS = readPositiveNumber("DEMO_DURATION_S", process.env.DEMO_DURATION_S);
  const fleet = await runDemoFleet({
    endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT || "http://localhost:4318",
    rps: readPositiveNumber("DEMO_RPS", process.env.DEMO_RPS),
    durationMs: durationS === undefined ? undefined : durationS * 1000,
    faults: process.env.DEMO_FAULTS !== "0",
  });
  console.log(durationS === undefined ? "running until Ctrl-C" : `running for ${durationS} s`);
  const onSignal = () => void fleet.stop();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  await fleet.stopped;
  process.exit(0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
