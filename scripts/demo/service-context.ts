// What a demo service module receives from its process: telemetry handles, the instrumented
// transports, peer addresses and the shared clock for the fault schedule.
import type http from "node:http";
import type { Counter, Histogram, Meter, Tracer } from "@opentelemetry/api";
import type { ChildConfig } from "./fleet-spec";

export type GrpcModule = typeof import("@grpc/grpc-js");

export interface ServiceContext {
  config: ChildConfig;
  name: string;
  tracer: Tracer;
  meter: Meter;
  /** node:http as patched by the http instrumentation */
  http: typeof http;
  /** @grpc/grpc-js as patched by the grpc instrumentation */
  grpc: GrpcModule;
  /** app-level RED metrics every service records, besides the instrumentation's own */
  requestDuration: Histogram;
  requestCount: Counter;
  /** keep-alive agent for calls to peers */
  agent: http.Agent;
}

/** What a service module's start() returns: go() runs once the whole fleet listens. */
export interface ServiceHandle {
  go?(): void;
  stop?(): Promise<void>;
}

export type ServiceModule = { start(ctx: ServiceContext): Promise<ServiceHandle> };

export function portOf(ctx: ServiceContext, service: string): number {
  const port = ctx.config.ports[service];
  if (!port) throw new Error(`no port for service ${service} in the fleet config`);
  return port;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Uniform random latency in [minMs, maxMs]. */
export function jitter(minMs: number, maxMs: number): number {
  return minMs + Math.random() * (maxMs - minMs);
}

export function pickInt(min: number, max: number): number {
  return Math.floor(min + Math.random() * (max - min + 1));
}

/** Repeats task at about ratePerSecond (exponential gaps) until the returned stop is called. */
export function startPoissonLoop(ratePerSecond: number, task: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    const gapMs = (-Math.log(1 - Math.random()) * 1000) / ratePerSecond;
    timer = setTimeout(
      () => {
        task();
        schedule();
      },
      Math.min(gapMs, 10_000),
    );
  };
  schedule();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
