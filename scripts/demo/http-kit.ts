// Tiny JSON-over-HTTP server and client on top of the instrumented node:http, so every hop
// produces the SERVER and CLIENT spans that @opentelemetry/instrumentation-http really emits.
import type http from "node:http";
import { context } from "@opentelemetry/api";
import { getRPCMetadata, RPCType, suppressTracing } from "@opentelemetry/core";
import type { ServiceContext } from "./service-context";
import { portOf } from "./service-context";

export interface JsonResponse {
  status: number;
  body: unknown;
}

export interface Route {
  method: "GET" | "POST";
  /** express-style pattern such as /products/:id; becomes http.route on the SERVER span */
  pattern: string;
  handle(params: Record<string, string>, body: unknown, req: http.IncomingMessage): Promise<JsonResponse>;
  /** transport plumbing (broker deliveries): the handler records its own metrics */
  plumbing?: boolean;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  keys: string[];
}

function compileRoute(route: Route): CompiledRoute {
  const keys: string[] = [];
  const source = route.pattern.replace(/:([a-zA-Z]+)/g, (_, key: string) => {
    keys.push(key);
    return "([^/]+)";
  });
  return { ...route, regex: new RegExp(`^${source}$`), keys };
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolve(text ? JSON.parse(text) : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** Serves routes on 127.0.0.1:port and records the app-level RED metrics per route. */
export async function serveHttp(ctx: ServiceContext, port: number, routes: Route[]): Promise<http.Server> {
  const compiled = routes.map(compileRoute);
  const server = ctx.http.createServer(async (req, res) => {
    const started = performance.now();
    const path = (req.url ?? "/").split("?")[0];
    const route = compiled.find((r) => r.method === req.method && r.regex.test(path));
    let response: JsonResponse = { status: 404, body: { error: "not found" } };
    if (route) {
      // The same mechanism express's instrumentation uses to name the SERVER span by route.
      const rpc = getRPCMetadata(context.active());
      if (rpc?.type === RPCType.HTTP) rpc.route = route.pattern;
      const match = route.regex.exec(path)!;
      const params = Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(match[i + 1])]));
      try {
        response = await route.handle(params, await readBody(req), req);
      } catch (error) {
        response = { status: 500, body: { error: String(error) } };
      }
    }
    if (!route?.plumbing) {
      const operation = route ? `${req.method} ${route.pattern}` : "unmatched";
      const outcome = response.status >= 500 ? "error" : "ok";
      ctx.requestDuration.record((performance.now() - started) / 1000, { operation, outcome });
      ctx.requestCount.add(1, { operation, outcome });
    }
    res.writeHead(response.status, { "content-type": "application/json" });
    res.end(JSON.stringify(response.body ?? null));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return server;
}

export interface CallOptions {
  method?: "GET" | "POST";
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** Sends a request to 127.0.0.1:port through the (instrumented) http module. */
export function requestJson(
  ctx: ServiceContext,
  port: number,
  path: string,
  options: CallOptions = {},
): Promise<JsonResponse> {
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const req = ctx.http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: options.method ?? "GET",
        agent: ctx.agent,
        timeout: options.timeoutMs ?? 10_000,
        headers: {
          accept: "application/json",
          ...(payload ? { "content-type": "application/json", "content-length": String(payload.length) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            // keep the raw text
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout calling 127.0.0.1:${port}${path}`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** Calls another fleet service by name: CLIENT span + traceparent, as instrumented code does. */
export function callService(
  ctx: ServiceContext,
  service: string,
  path: string,
  options: CallOptions = {},
): Promise<JsonResponse> {
  return requestJson(ctx, portOf(ctx, service), path, options);
}

/** A call that is not traced and carries no traceparent: transport plumbing (the broker) or
 * an uninstrumented client. Tracing suppression is how OTel's own exporters do it. */
export function callUntraced(
  ctx: ServiceContext,
  port: number,
  path: string,
  options: CallOptions = {},
): Promise<JsonResponse> {
  return context.with(suppressTracing(context.active()), () => requestJson(ctx, port, path, options));
}
