import "server-only";
import type { z } from "zod";
import type { AnyEndpoint, TimeWindow } from "../../lib/contract";
import type { ApiContext } from "./context";
import type { Access, Principal } from "../auth";
import { withSpan } from "../platform/self-tracing";
import { fromZodError } from "./errors";
import type { Reply, Route, RouteRequest } from "./router";
import { maxWindowMs, resolveWindow } from "./time-window";

type Out<S> = [NonNullable<S>] extends [z.ZodType] ? z.output<NonNullable<S>> : undefined;

/** What a declared route's handler receives: inputs validated by its contract entry. */
export interface RouteInput<E extends AnyEndpoint> {
  params: Out<E["params"]>;
  query: Out<E["query"]>;
  body: Out<E["body"]>;
  /** The resolved `from`/`to` when the endpoint declares `window`. */
  window: TimeWindow;
  /** Who is calling (null: not signed in; the anonymous admin with authentication off). */
  principal: Principal | null;
  /** Request headers, lower-case names (cookies for sign-out). */
  headers: Record<string, string | string[] | undefined>;
  clientAddress: string;
}

/** A handler answers the endpoint's response (status from the contract) or a `reply()`. */
export type RouteHandler<E extends AnyEndpoint> = (
  input: RouteInput<E>,
  ctx: ApiContext,
) => Answerable<E> | Promise<Answerable<E>>;
type Answerable<E extends AnyEndpoint> = z.input<E["response"]> | Reply;

export interface RouteOptions {
  /** Read-only telemetry query: may run in the query thread instead of the main thread. */
  offload?: boolean;
  /**
   * Answers an error (of parsing or of the handler) in a protocol's own error shape, e.g.
   * Jaeger's envelope; default: the API's `{"error": {...}}`.
   */
  mapError?: (err: unknown, ctx: ApiContext) => Reply;
  /** Role needed when authentication is on (default: viewer for GET, editor otherwise). */
  access?: Access;
}

/**
 * A route = its contract entry + a handler. Params, query and body are parsed with the
 * entry's schemas (a 400 naming the field otherwise), the time window resolved, and the
 * handler called with typed values and the request's context (never module globals).
 */
export function route<E extends AnyEndpoint>(endpoint: E, handler: RouteHandler<E>, options: RouteOptions = {}): Route {
  return {
    method: endpoint.method,
    path: endpoint.path,
    endpoint,
    offload: options.offload,
    access: options.access,
    // Synchronous when the handler is: a parse error throws at once (tests call handlers directly).
    handler: (req, ctx) => {
      if (!options.mapError) return run(endpoint, handler, req, ctx);
      const mapError = options.mapError;
      try {
        const out = run(endpoint, handler, req, ctx);
        return out instanceof Promise ? out.catch((e: unknown) => mapError(e, ctx)) : out;
      } catch (e) {
        return mapError(e, ctx);
      }
    },
  };
}

function run<E extends AnyEndpoint>(
  endpoint: E,
  handler: RouteHandler<E>,
  req: RouteRequest,
  ctx: ApiContext,
): unknown {
  const input = withSpan("query.parse", { "cartograph.endpoint": endpoint.id }, () =>
    parseInput(endpoint, req, ctx.now(), maxWindowMs(ctx.config)),
  );
  const out = handler(input, ctx);
  if (!endpoint.status) return out;
  return out instanceof Promise ? out.then((o) => withStatus(o, endpoint.status!)) : withStatus(out, endpoint.status);
}

function withStatus(out: unknown, status: number): unknown {
  if (out && typeof out === "object" && (out as Reply).__reply) return out;
  return { __reply: true, status, body: out } satisfies Reply;
}

function parseInput<E extends AnyEndpoint>(
  endpoint: E,
  req: RouteRequest,
  nowMs: number,
  maxMs: number,
): RouteInput<E> {
  const params = parseWith(endpoint.params, req.params, "path");
  const query = parseWith(endpoint.query, queryObject(req.query), "query") as Record<string, unknown> | undefined;
  const body = endpoint.body ? parseWith(endpoint.body, req.body ?? {}, endpoint.bodyName ?? "body") : undefined;
  let window: TimeWindow = { fromMs: nowMs, toMs: nowMs };
  if (endpoint.window && query) {
    const defaultMs = endpoint.window === true ? undefined : endpoint.window.defaultMs;
    window = resolveWindow(query.from as never, query.to as never, nowMs, { defaultMs, maxWindowMs: maxMs });
  }
  return {
    params,
    query,
    body,
    window,
    principal: req.principal ?? null,
    headers: req.headers ?? {},
    clientAddress: req.clientAddress ?? "",
  } as RouteInput<E>;
}

function parseWith(schema: z.ZodType | undefined, value: unknown, what: string): unknown {
  if (!schema) return value;
  const r = schema.safeParse(value);
  if (!r.success) throw fromZodError(r.error, what);
  return r.data;
}

/** A repeated key becomes an array (schemas that allow repetition use repeatedParam). */
function queryObject(q: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(q.keys())) {
    const all = q.getAll(key);
    out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}
