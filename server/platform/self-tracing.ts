import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import type { Attributes, Context, Span, SpanContext, SpanKind, Tracer } from "@opentelemetry/api";
import type { Config } from "./config";
import type { SelfTracerHandle } from "./self-tracing-sdk";

import { resolveSelfTraceTarget, SELF_TRACE_SLOT as SLOT, SELF_TRACE_SLOTS } from "./self-tracing-target";

export { SELF_TRACE_HEADER } from "./self-tracing-target";

/**
 * Cartograph traces itself (CARTOGRAPH_SELF_TRACES). Every instrumented site calls one of
 * the functions below; while self-tracing is off they cost one null check, and neither the
 * OpenTelemetry API nor the SDK is loaded. Each thread (main, writer, query) starts its own
 * SDK; a `traceparent` carried in the thread messages joins their spans into one trace.
 * Context lives in this module's AsyncLocalStorage, not in the global OpenTelemetry context,
 * so libraries that look for a global tracer (Next.js) see none.
 *
 * The AsyncLocalStorage is entered only for sampled work and disabled again as soon as none is
 * in flight: on Node 20 an enabled AsyncLocalStorage installs promise hooks that slow every
 * promise of the thread from the first time it is entered (scripts/bench/async-context-cost.ts:
 * 2.75x on a promise-bound loop; 1.08x once disabled again). Unsampled work therefore runs
 * outside any context: only a declared root (`root: true`) may start a trace, everything else
 * records only under a sampled parent. The ingest path does not enter it at all (`explicit`): its
 * request span is passed by hand, so a sampled ingest request in flight does not slow the others.
 */
export interface SpanHandle {
  /** False for unsampled work: skip computing attributes that cost something. */
  readonly recording: boolean;
  setAttributes(attributes: Attributes): void;
  /** Marks the operation failed (status ERROR) without throwing, e.g. a request answered 4xx/5xx. */
  fail(message: string): void;
  /** W3C traceparent of this span while it is sampled (to send to another thread), else undefined. */
  readonly traceparent: string | undefined;
  /**
   * Runs `fn` in a child span of this one, passed by hand: no context is entered, so spans deeper
   * inside `fn` see neither (for hot paths that carry their span explicitly, see `explicit`).
   */
  child<T>(name: string, attributes: Attributes, fn: (span: SpanHandle) => T): T;
}

export interface SpanOptions {
  kind?: "server" | "internal";
  /**
   * true: a root (a request, a job run) that starts a trace of its own, head-sampled by
   * CARTOGRAPH_SELF_TRACES_RATIO, when no trace is active. Otherwise the span is recorded only as
   * a child of an active sampled trace.
   */
  root?: boolean;
  /**
   * true: the span is not entered as the active context; its children are made through the handle
   * (`span.child`) and other threads get `span.traceparent`. The ingest path uses it: entering the
   * context store would turn on its promise hooks for every request of the thread while a sampled
   * one is in flight (the module's doc). Logs inside carry no trace id.
   */
  explicit?: boolean;
}

/** Passed to worker threads in workerData so their spans count in the process's totals. */
export interface SelfTracingShared {
  counters: SharedArrayBuffer;
}

type Api = typeof import("@opentelemetry/api");

interface Active {
  api: Api;
  tracer: Tracer;
  sdk: SelfTracerHandle;
  als: AsyncLocalStorage<Context>;
  suppressed: Context;
  parseTraceParent: (tp: string) => SpanContext | null;
  url: string;
  /** Share of roots traced (CARTOGRAPH_SELF_TRACES_RATIO); the SDK's sampler sees only these. */
  ratio: number;
}

let active: Active | null = null;
let shared: SelfTracingShared | null = null;
/** Sampled operations running in this thread; the AsyncLocalStorage is enabled only while > 0. */
let inFlight = 0;

const NOOP: SpanHandle = {
  recording: false,
  setAttributes: () => undefined,
  fail: () => undefined,
  traceparent: undefined,
  child: (_name, _attributes, fn) => fn(NOOP),
};

function counters(): BigInt64Array {
  shared ??= { counters: new SharedArrayBuffer(SELF_TRACE_SLOTS * 8) };
  return new BigInt64Array(shared.counters);
}

/** What a worker thread needs to join this process's self-tracing (see startSelfTracing). */
export function getSelfTracingShared(): SelfTracingShared {
  counters();
  return shared!;
}

/**
 * Starts self-tracing in this thread when the configuration asks for it; with `off` it
 * returns false at once and loads nothing. `thread` names the thread on the resource.
 */
export async function startSelfTracing(
  config: Config,
  thread: string,
  fromParent?: SelfTracingShared,
): Promise<boolean> {
  if (fromParent) shared = fromParent;
  if (active) return true;
  const target = resolveSelfTraceTarget(config);
  if (!target) return false;
  const [api, core, sdkModule] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/core"),
    import("./self-tracing-sdk"),
  ]);
  const sdk = sdkModule.createSelfTracer(target, thread, counters());
  active = {
    api,
    tracer: sdk.tracer,
    sdk,
    als: new AsyncLocalStorage<Context>(),
    suppressed: core.suppressTracing(api.ROOT_CONTEXT),
    parseTraceParent: (tp) => core.parseTraceParent(tp),
    url: target.url,
    ratio: target.ratio,
  };
  return true;
}

/** Exports what is buffered (before shutdown, and in tests); gives up after `timeoutMs`. */
export async function flushSelfTracing(timeoutMs = 2000): Promise<void> {
  if (!active) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([active.sdk.flush().catch(() => undefined), timeout]);
  clearTimeout(timer);
}

/**
 * Called once the process's receivers listen: exports to `self` held until then (spans of
 * the start, in every thread) go out.
 */
export function markSelfTraceReceiverReady(): void {
  Atomics.store(counters(), SLOT.receiverReady, 1n);
}

export function getSelfTracingStatus(): {
  enabled: boolean;
  url: string | null;
  spansStarted: number;
  spansExported: number;
  spansFailed: number;
} {
  const c = counters();
  return {
    enabled: active !== null,
    url: active?.url ?? null,
    spansStarted: Number(Atomics.load(c, SLOT.started)),
    spansExported: Number(Atomics.load(c, SLOT.exported)),
    spansFailed: Number(Atomics.load(c, SLOT.failed)),
  };
}

function wrap(span: Span, ctx: Context, a: Active): SpanHandle {
  return {
    recording: true,
    setAttributes: (attributes) => void span.setAttributes(attributes),
    fail: (message) => void span.setStatus({ code: a.api.SpanStatusCode.ERROR, message }),
    get traceparent() {
      const sc = span.spanContext();
      return `00-${sc.traceId}-${sc.spanId}-01`;
    },
    child: (name, attributes, fn) => runSpan(a, ctx, name, attributes, a.api.SpanKind.INTERNAL, fn, false),
  };
}

function endFailed(span: Span, e: unknown, a: Active): void {
  const err = e instanceof Error ? e : new Error(String(e));
  span.recordException(err);
  span.setStatus({ code: a.api.SpanStatusCode.ERROR, message: err.message });
  span.end();
}

function leave(a: Active): void {
  if (--inFlight === 0) a.als.disable();
}

/**
 * Runs `fn` with `ctx` active, counted in `inFlight` until it returns or its promise settles;
 * the last one out disables the AsyncLocalStorage (see the module's doc).
 */
function runInContext<A, T>(a: Active, ctx: Context, fn: (arg: A) => T, arg: A): T {
  inFlight++;
  let out: T;
  try {
    out = a.als.run(ctx, fn, arg);
  } catch (e) {
    leave(a);
    throw e;
  }
  if (out instanceof Promise) return out.finally(() => leave(a)) as T;
  leave(a);
  return out;
}

/**
 * Runs `fn` inside a span named `name`: a child of the active sampled span, or with
 * `root: true` and no active trace a new trace sampled by CARTOGRAPH_SELF_TRACES_RATIO. Works
 * for sync and async `fn`: the span ends when `fn` returns or its promise settles; a throw or
 * rejection marks it failed and is rethrown.
 */
export function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: SpanHandle) => T,
  opts: SpanOptions = {},
): T {
  const a = active;
  if (a === null) return fn(NOOP);
  const parent = inFlight > 0 ? a.als.getStore() : undefined;
  // Inside a suppressed operation nothing is traced: no SDK call at all.
  if (parent === a.suppressed) return fn(NOOP);
  // Outside a sampled trace only a root may start one, and head sampling leaves most roots out
  // (at the default ratio): their work runs with no span, context or sampler call.
  if (parent === undefined && (opts.root !== true || Math.random() >= a.ratio)) return fn(NOOP);
  const kind = opts.kind === "server" ? a.api.SpanKind.SERVER : a.api.SpanKind.INTERNAL;
  return runSpan(a, parent ?? a.api.ROOT_CONTEXT, name, attributes, kind, fn, opts.explicit !== true);
}

/**
 * Runs `fn` in a span under `base`, entered as the active context when `enter` (else the handle
 * carries it); the span ends when `fn` returns or its promise settles, failed on a throw or rejection.
 */
function runSpan<T>(
  a: Active,
  base: Context,
  name: string,
  attributes: Attributes,
  kind: SpanKind,
  fn: (span: SpanHandle) => T,
  enter: boolean,
): T {
  const span = a.tracer.startSpan(name, { kind, attributes }, base);
  // The SDK samples every root it is given; a parent recorded means its children are too.
  if (!span.isRecording()) return fn(NOOP);
  const ctx = a.api.trace.setSpan(base, span);
  const handle = wrap(span, ctx, a);
  let out: T;
  try {
    out = enter ? runInContext(a, ctx, fn, handle) : fn(handle);
  } catch (e) {
    endFailed(span, e, a);
    throw e;
  }
  if (out instanceof Promise) {
    return out.then(
      (v) => {
        span.end();
        return v;
      },
      (e) => {
        endFailed(span, e, a);
        throw e;
      },
    ) as T;
  }
  span.end();
  return out;
}

/**
 * Runs `fn` as a continuation of the trace `traceparent` came from (another thread).
 * Without a traceparent (tracing off in the sender, or its trace unsampled) nothing inside
 * `fn` is traced: a worker never starts traces of its own for work another thread sent.
 */
export function withRemoteParent<T>(traceparent: string | undefined, fn: () => T): T {
  const a = active;
  if (a === null) return fn();
  const sc = traceparent ? a.parseTraceParent(traceparent) : null;
  if (!sc) return withoutTracing(fn);
  return runInContext(a, a.api.trace.setSpanContext(a.api.ROOT_CONTEXT, { ...sc, isRemote: true }), fn, undefined);
}

/** Records a finished span with explicit times (epoch ms, see getSpanClockMs) under `traceparent`. */
export function recordSpan(
  traceparent: string | undefined,
  name: string,
  startMs: number,
  endMs: number,
  attributes: Attributes,
  error?: string,
): void {
  const a = active;
  if (a === null || !traceparent) return;
  const sc = a.parseTraceParent(traceparent);
  if (!sc) return;
  const span = a.tracer.startSpan(
    name,
    { attributes, startTime: startMs },
    a.api.trace.setSpanContext(a.api.ROOT_CONTEXT, { ...sc, isRemote: true }),
  );
  if (error) span.setStatus({ code: a.api.SpanStatusCode.ERROR, message: error });
  span.end(endMs);
}

/**
 * True while this thread runs sampled work, the only time its AsyncLocalStorage (and the
 * promise hooks it costs) is enabled.
 */
export function isSelfTraceContextActive(): boolean {
  return inFlight > 0;
}

/** Epoch milliseconds with sub-millisecond precision, comparable across threads. */
export function getSpanClockMs(): number {
  return performance.timeOrigin + performance.now();
}

function sampledContext(): SpanContext | null {
  const a = active;
  if (a === null) return null;
  const ctx = inFlight > 0 ? a.als.getStore() : undefined;
  const sc = ctx ? a.api.trace.getSpanContext(ctx) : undefined;
  return sc && (sc.traceFlags & 1) === 1 ? sc : null;
}

/** W3C traceparent of the active span when it is sampled (to send to another thread), else undefined. */
export function getTraceparent(): string | undefined {
  const sc = sampledContext();
  return sc ? `00-${sc.traceId}-${sc.spanId}-01` : undefined;
}

/** Trace and span id of the active sampled span, for log lines. */
export function getActiveTraceIds(): { traceId: string; spanId: string } | null {
  const sc = sampledContext();
  return sc ? { traceId: sc.traceId, spanId: sc.spanId } : null;
}

/**
 * Runs `fn` with tracing suppressed (nothing inside starts or joins a trace). Outside a sampled
 * trace that is the case already, so no context is entered.
 */
export function withoutTracing<T>(fn: (span: SpanHandle) => T): T {
  const a = active;
  if (a === null || inFlight === 0) return fn(NOOP);
  return runInContext(a, a.suppressed, fn, NOOP);
}
