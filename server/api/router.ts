import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./errors";
import type { ApiContext } from "./context";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body for POST/PUT/PATCH (undefined when empty). */
  body: unknown;
}

/** A handler returns the JSON body (status 200) or `reply(status, body)`. */
export interface Reply {
  __reply: true;
  status: number;
  body: unknown;
}
export function reply(status: number, body: unknown): Reply {
  return { __reply: true, status, body };
}

export interface Route {
  method: HttpMethod;
  /** e.g. `/api/v1/services/:name/operations` */
  path: string;
  handler: (req: RouteRequest, ctx: ApiContext) => unknown | Promise<unknown>;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

const MAX_JSON_BODY = 4 * 1024 * 1024;

export function createRouter(routes: Route[], ctx: ApiContext) {
  const compiled: CompiledRoute[] = routes.map((r) => {
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

  /** Returns false when no route's path matches (the caller may pass the request on). */
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const candidates = compiled.filter((r) => r.regex.test(url.pathname));
    if (candidates.length === 0) return false;
    try {
      const route = candidates.find((r) => r.method === req.method);
      if (!route) {
        res.setHeader("Allow", candidates.map((r) => r.method).join(", "));
        throw new ApiError(405, "method-not-allowed", `${req.method} is not allowed on ${url.pathname}`);
      }
      const m = route.regex.exec(url.pathname)!;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => {
        try {
          params[n] = decodeURIComponent(m[i + 1]!);
        } catch {
          throw new ApiError(400, "bad-request", `path parameter ${n} is not valid percent-encoding`);
        }
      });
      const body = req.method === "GET" || req.method === "DELETE" ? undefined : await readJsonBody(req);
      const out = await route.handler({ params, query: url.searchParams, body }, ctx);
      if (out && typeof out === "object" && (out as Reply).__reply) {
        sendJson(res, (out as Reply).status, (out as Reply).body);
      } else {
        sendJson(res, 200, out);
      }
    } catch (err) {
      sendError(res, err, ctx);
    }
    return true;
  };
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

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

function sendError(res: ServerResponse, err: unknown, ctx: ApiContext): void {
  if (err instanceof ApiError) {
    const error: Record<string, unknown> = { code: err.code, message: err.message };
    if (err.details !== undefined) error.details = err.details;
    sendJson(res, err.status, { error });
    return;
  }
  // A store that is busy or locked is transient: 503, never 500.
  const msg = err instanceof Error ? err.message : String(err);
  const transient = /SQLITE_BUSY|SQLITE_LOCKED|database is locked/i.test(msg);
  ctx.log.error("api request failed", { error: msg, stack: err instanceof Error ? err.stack : undefined });
  sendJson(res, transient ? 503 : 500, {
    error: { code: transient ? "unavailable" : "internal", message: transient ? "store busy, retry shortly" : "internal error: " + msg },
  });
}
