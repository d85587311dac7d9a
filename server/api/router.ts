import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./errors";
import type { ApiContext } from "./context";
import { withSpan } from "../platform/self-tracing";
import { describeServerTiming, encodeAnswer } from "./encode-answer";
import type { AnyEndpoint, HttpMethod } from "../../lib/contract";
import { decideAccess, defaultAccess, type Access, type Principal } from "../auth";

export type { HttpMethod };

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body for POST/PUT/PATCH (undefined when empty). */
  body: unknown;
  /** Who is calling (the anonymous admin when authentication is off; absent in the query thread). */
  principal?: Principal | null;
  /** Request headers (lower-case names), for the few routes that need them (cookies, addresses). */
  headers?: Record<string, string | string[] | undefined>;
  /** The peer's address. */
  clientAddress?: string;
}

/** A handler returns the JSON body (status 200) or `reply(status, body)`. */
export interface Reply {
  __reply: true;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}
export function reply(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { __reply: true, status, body, headers };
}

/** Declare routes with `route(endpoint, handler)` (./route.ts); this is what the router runs. */
export interface Route {
  method: HttpMethod;
  /** e.g. `/api/v1/services/:name/operations` */
  path: string;
  handler: (req: RouteRequest, ctx: ApiContext) => unknown | Promise<unknown>;
  /** Read-only telemetry query: may run in the query thread instead of the main thread. */
  offload?: boolean;
  /** The contract entry the route answers (every route has one; a test holds them). */
  endpoint?: AnyEndpoint;
  /** Role the caller needs when authentication is on; default: viewer for GET, editor otherwise. */
  access?: Access;
}

/** A finished API answer: status and the JSON text of the body. */
export interface Answer {
  status: number;
  json: string;
  headers?: Record<string, string>;
  /** Where the handler's time went (milliseconds): sent back as `Server-Timing`. */
  timing?: { handleMs: number; serializeMs: number };
}

/** Runs an offloadable GET elsewhere (the query thread); null when it cannot take it now. */
export type Offloader = (pathAndQuery: string) => Promise<Answer> | null;

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

const MAX_JSON_BODY = 4 * 1024 * 1024;

function compileRoutes(routes: Route[]): CompiledRoute[] {
  return routes.map((r) => {
    const names: string[] = [];
    const pattern = r.path
      .split("/")
      .map((seg) => {
        if (seg.startsWith(":")) {
          names.push(seg.slice(1));
          return "([^/]+)";
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    return { ...r, regex: new RegExp(`^${pattern}/?$`), names };
  });
}

interface Matched {
  route: CompiledRoute;
  params: Record<string, string>;
}

/** The route for a method and path; null when no path matches; throws 405/400 as ApiError. */
function matchRoute(compiled: CompiledRoute[], method: string, pathname: string): Matched | null {
  const candidates = compiled.filter((r) => r.regex.test(pathname));
  if (candidates.length === 0) return null;
  const route = candidates.find((r) => r.method === method);
  if (!route) {
    throw new ApiError(405, "method-not-allowed", `${method} is not allowed on ${pathname}`, undefined, {
      allow: candidates.map((r) => r.method).join(", "),
    });
  }
  const m = route.regex.exec(pathname)!;
  const params: Record<string, string> = {};
  route.names.forEach((n, i) => {
    try {
      params[n] = decodeURIComponent(m[i + 1]!);
    } catch {
      throw new ApiError(400, "bad-request", `path parameter ${n} is not valid percent-encoding`);
    }
  });
  return { route, params };
}

/** Self-traced as `api.handle` (the handler: parse, store read, assemble) and `api.serialize`. */
async function runRoute(matched: Matched, req: RouteRequest, ctx: ApiContext): Promise<Answer> {
  try {
    const started = performance.now();
    const out = await withSpan("api.handle", {}, () => matched.route.handler(req, ctx));
    const handled = performance.now();
    return withSpan("api.serialize", {}, (span) => {
      const isReply = out && typeof out === "object" && (out as Reply).__reply;
      const answer: Answer = isReply
        ? { ...toAnswer((out as Reply).status, (out as Reply).body), headers: (out as Reply).headers }
        : toAnswer(200, out);
      span.setAttributes({ "cartograph.response.bytes": answer.json.length });
      answer.timing = { handleMs: handled - started, serializeMs: performance.now() - handled };
      return answer;
    });
  } catch (err) {
    return errorAnswer(err, ctx);
  }
}

/**
 * Answers a GET without node's request/response objects (the query thread uses this).
 * Returns null when no route's path matches.
 */
export function createDispatcher(routes: Route[], ctx: ApiContext) {
  const compiled = compileRoutes(routes);
  return async (pathAndQuery: string): Promise<Answer | null> => {
    let matched: Matched | null;
    let url: URL;
    try {
      url = parseRequestTarget(pathAndQuery);
      matched = matchRoute(compiled, "GET", url.pathname);
    } catch (err) {
      return errorAnswer(err, ctx);
    }
    return matched
      ? runRoute(matched, { params: matched.params, query: url.searchParams, body: undefined }, ctx)
      : null;
  };
}

export function createRouter(routes: Route[], ctx: ApiContext, offload?: Offloader) {
  const compiled = compileRoutes(routes);

  /**
   * Returns false when no route's path matches (the caller may pass the request on).
   * `principal`: who is calling, checked against the route's `access` (null: not signed in).
   */
  return async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    principal: Principal | null,
  ): Promise<boolean> {
    const started = performance.now();
    let answer: Answer;
    try {
      const url = parseRequestTarget(req.url ?? "/");
      const matched = matchRoute(compiled, req.method ?? "GET", url.pathname);
      if (!matched) return false;
      const route = matched.route;
      const verdict = decideAccess(
        principal,
        route.access ?? defaultAccess(route.method),
        `${route.method} ${route.path}`,
      );
      if (!verdict.ok)
        throw new ApiError(
          verdict.status,
          verdict.code,
          verdict.message,
          undefined,
          verdict.status === 401 ? { "www-authenticate": 'Bearer realm="cartograph"' } : undefined,
        );
      const attributes = { "http.request.method": route.method, "http.route": route.path };
      answer = await withSpan(
        `${route.method} ${route.path}`,
        attributes,
        async (span) => {
          const elsewhere = route.offload && offload ? offload(url.pathname + url.search) : null;
          span.setAttributes({ "cartograph.thread": elsewhere ? "query" : "main" });
          let a: Answer;
          try {
            if (elsewhere) {
              a = await elsewhere;
            } else {
              const body = req.method === "GET" || req.method === "DELETE" ? undefined : await readJsonBody(req);
              a = await runRoute(
                matched,
                {
                  params: matched.params,
                  query: url.searchParams,
                  body,
                  principal,
                  headers: req.headers,
                  clientAddress: req.socket.remoteAddress ?? "",
                },
                ctx,
              );
            }
          } catch (err) {
            a = errorAnswer(err, ctx);
          }
          span.setAttributes({ "http.response.status_code": a.status });
          if (a.status >= 500) span.fail(a.json.slice(0, 200));
          ctx.log.debug("api request", {
            method: route.method,
            route: route.path,
            status: a.status,
            ms: Math.round(performance.now() - started),
          });
          return a;
        },
        { kind: "server", root: true },
      );
    } catch (err) {
      answer = errorAnswer(err, ctx);
    }
    await writeEncodedAnswer(req, res, answer, started);
    return true;
  };
}

/**
 * The request target as a URL: origin-form (`/path?query`, any bytes in the path kept as
 * path, so `//h:99999/` is a path, not a host) or absolute-form (`http://host/path`).
 * Anything that does not parse is a 400, never an exception further down.
 */
export function parseRequestTarget(target: string): URL {
  try {
    if (target.startsWith("/")) return new URL("http://localhost" + target);
    const url = new URL(target);
    if (url.protocol === "http:" || url.protocol === "https:") return url;
  } catch {
    // fall through to the 400
  }
  throw new ApiError(
    400,
    "bad-request-target",
    `the request target ${JSON.stringify(target.slice(0, 100))} is not a valid path`,
  );
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BODY) throw new ApiError(413, "payload-too-large", `JSON body over ${MAX_JSON_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, "invalid-json", `request body is not valid JSON: ${(e as Error).message}`);
  }
}

const bigintJson = (_k: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

function toAnswer(status: number, body: unknown): Answer {
  return { status, json: JSON.stringify(body, bigintJson) ?? "null" };
}

/**
 * Writes an API answer the way the client can take it best: compressed when it says it
 * accepts gzip or Brotli and the body is worth it (the map of a large fleet is ~800 kB of
 * JSON, ~10x less compressed; zlib runs on libuv's thread pool, not on this event loop), with
 * `Server-Timing` saying where the time went (the browser's devtools and the UI bench read it).
 */
async function writeEncodedAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  a: Answer,
  startedMs: number,
): Promise<void> {
  const encoded = await encodeAnswer(a.json, req.headers["accept-encoding"]);
  const timing = describeServerTiming(a.timing, encoded, performance.now() - startedMs);
  res.writeHead(a.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": encoded.body.length,
    "cache-control": "no-store",
    vary: "accept-encoding",
    "server-timing": timing,
    ...(encoded.encoding ? { "content-encoding": encoded.encoding } : {}),
    ...a.headers,
  });
  res.end(encoded.body);
}

export function writeAnswer(res: ServerResponse, a: Answer): void {
  res.writeHead(a.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(a.json),
    "cache-control": "no-store",
    ...a.headers,
  });
  res.end(a.json);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  writeAnswer(res, toAnswer(status, body));
}

/** Storage conditions that pass (busy, locked, full, read-only, I/O): retryable, so 503. */
const TRANSIENT =
  /SQLITE_(BUSY|LOCKED|FULL|READONLY|IOERR|CANTOPEN)|database is locked|disk is full|readonly database/i;

/**
 * An ApiError answers as it says. Anything else is logged with its stack and answered
 * generically: a 503 with Retry-After for a transient storage condition, else a 500 whose
 * body carries no internal text (only the log does).
 */
export function errorAnswer(err: unknown, ctx: Pick<ApiContext, "log">): Answer {
  if (err instanceof ApiError) {
    const error: Record<string, unknown> = { code: err.code, message: err.message };
    if (err.details !== undefined) error.details = err.details;
    return {
      ...toAnswer(err.status, { error }),
      headers: err.status === 503 ? { "retry-after": "1", ...err.headers } : err.headers,
    };
  }
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown })?.code;
  const transient = TRANSIENT.test(msg) || (typeof code === "string" && TRANSIENT.test(code));
  ctx.log.error("api request failed", { error: msg, code, stack: err instanceof Error ? err.stack : undefined });
  if (transient) {
    return {
      ...toAnswer(503, {
        error: { code: "unavailable", message: "the store is temporarily unavailable, retry shortly" },
      }),
      headers: { "retry-after": "1" },
    };
  }
  return toAnswer(500, { error: { code: "internal", message: "internal error; the server log has the details" } });
}
