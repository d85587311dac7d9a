// Entry point of one demo service process (forked by fleet.ts). Protocol with the launcher,
// over the IPC channel: child → {type:"ready"} once listening; launcher → {type:"go"} when the
// whole fleet listens, {type:"stop"} to flush telemetry and exit. SIGINT/SIGTERM and the loss
// of the IPC channel (launcher died) also stop the process, so no child outlives the fleet.
import type http from "node:http";
import { CHILD_CONFIG_ENV, DELIVERY_PATH, type ChildConfig } from "./fleet-spec";
import { loadModule, startTelemetry } from "./telemetry";
import type { GrpcModule, ServiceContext, ServiceHandle, ServiceModule } from "./service-context";

function readConfig(): ChildConfig {
  const raw = process.env[CHILD_CONFIG_ENV];
  if (!raw) throw new Error(`${CHILD_CONFIG_ENV} is not set: start services through scripts/demo/index.ts`);
  return JSON.parse(raw) as ChildConfig;
}

const config = readConfig();
const telemetry = startTelemetry({
  serviceName: config.service,
  serviceVersion: config.version,
  instanceId: config.instanceId,
  endpoint: config.endpoint,
  ignoredIncomingPaths: [DELIVERY_PATH],
});
// Loaded after startTelemetry so that the instrumentations patch them.
const patchedHttp = loadModule<typeof http>("node:http");
const grpc = loadModule<GrpcModule>("@grpc/grpc-js");

const ctx: ServiceContext = {
  config,
  name: config.service,
  tracer: telemetry.tracer,
  meter: telemetry.meter,
  http: patchedHttp,
  grpc,
  requestDuration: telemetry.meter.createHistogram("shop.request.duration", {
    unit: "s",
    description: "duration of the units of work this service handles",
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] },
  }),
  requestCount: telemetry.meter.createCounter("shop.requests", { description: "units of work handled" }),
  agent: new patchedHttp.Agent({ keepAlive: true, maxSockets: 32 }),
};

let handle: ServiceHandle = {};
let stopping = false;

async function stopAndExit(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const hardStop = setTimeout(() => process.exit(code), 4000);
  hardStop.unref();
  try {
    await handle.stop?.();
  } catch {
    // exiting anyway
  }
  ctx.agent.destroy();
  await telemetry.shutdown();
  process.exit(code);
}

process.on("SIGINT", () => void stopAndExit(0));
process.on("SIGTERM", () => void stopAndExit(0));
process.on("disconnect", () => void stopAndExit(0));
process.on("message", (message: { type?: string }) => {
  if (message?.type === "go") handle.go?.();
  if (message?.type === "stop") void stopAndExit(0);
});

try {
  const module = (await import(`./services/${config.module}.ts`)) as ServiceModule;
  handle = await module.start(ctx);
  process.send?.({ type: "ready", service: config.service, pid: process.pid });
} catch (error) {
  process.stderr.write(`[${config.service}] failed to start: ${String(error)}\n`);
  await stopAndExit(1);
}
