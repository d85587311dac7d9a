import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleOtlpHttp, handleZipkinHttp, matchOtlpPath, ZIPKIN_SPANS_PATH, type IngestDeps } from "../ingest";
import { sendJson, parseRequestTarget } from "../api";
import type { Logger } from "../platform/logger";
import type { Readiness } from "./readiness";
import type { SelfMetrics } from "../platform/self-metrics";
import type { Principal } from "../auth";
import type { AccessGate } from "./access-gate";

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

interface AppDeps extends IngestDeps {
  metrics: SelfMetrics;
  api: ((req: IncomingMessage, res: ServerResponse, principal: Principal | null) => Promise<boolean>) | null;
  ui: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | null;
  /** The UI/API port's gate (Host, headers, CSRF, who is calling); null on the OTLP-only port. */
  gate: AccessGate | null;
  isReady: () => boolean;
  readiness: () => Readiness;
  log: Logger;
}

/**
 * One request handler for every listener: OTLP paths, Zipkin's /api/v2/spans, /metrics,
 * /healthz, /readyz, then the JSON API, then the UI, both behind the access gate. The
 * OTLP-only and Zipkin-only listeners pass api, ui and gate as null.
 */
export function createAppHandler(deps: AppDeps): Handler {
  return async (req, res) => {
    const target = req.url ?? "/";
    const pathname = target.split("?")[0]!;
    try {
      // A target that is not a plain path (`//h:99999/`, `*`, garbage) is the client's mistake.
      if (pathname.startsWith("//"))
        return sendJson(res, 400, {
          error: { code: "bad-request-target", message: "the request target must be a path starting with a single /" },
        });
      parseRequestTarget(target);
      const signal = matchOtlpPath(pathname, deps.config);
      if (signal) return await handleOtlpHttp(req, res, signal, deps);
      if (pathname === ZIPKIN_SPANS_PATH) return await handleZipkinHttp(req, res, deps);
      if (pathname === "/metrics" && req.method === "GET") {
        const text = await deps.metrics.registry.metrics();
        res.writeHead(200, { "content-type": deps.metrics.registry.contentType });
        res.end(text);
        return;
      }
      if (pathname === "/healthz") return sendJson(res, 200, { status: "ok" });
      if (pathname === "/readyz") {
        const r = deps.readiness();
        if (!r.ready) res.setHeader("retry-after", "1");
        return sendJson(res, r.ready ? 200 : 503, r);
      }
      let principal: Principal | null = null;
      if (deps.gate) {
        const g = await deps.gate(req, res, pathname);
        if (g.done) return;
        principal = g.principal;
      }
      if (deps.api && (await deps.api(req, res, principal))) return;
      // Jaeger clients (Grafana) read errors from Jaeger's envelope, also for an unknown endpoint.
      if (deps.api && pathname.startsWith("/jaeger/api/")) {
        return sendJson(res, 404, {
          data: null,
          total: 0,
          limit: 0,
          offset: 0,
          errors: [{ code: 404, msg: `no Jaeger endpoint ${pathname}` }],
        });
      }
      if (deps.ui) return await deps.ui(req, res);
      sendJson(res, 404, { error: { code: "not-found", message: `no route for ${req.method} ${pathname}` } });
    } catch (e) {
      const status = (e as { status?: number }).status;
      if (res.headersSent) {
        res.destroy();
      } else if (typeof status === "number" && status >= 400 && status < 500) {
        sendJson(res, status, {
          error: { code: (e as { code?: string }).code ?? "bad-request", message: (e as Error).message },
        });
      } else {
        // Internal text stays in the log; the client learns only that it may retry.
        deps.log.error("request failed", {
          method: req.method,
          path: pathname.slice(0, 200),
          error: (e as Error).message,
          stack: (e as Error).stack,
        });
        res.setHeader("retry-after", "1");
        sendJson(res, 503, { error: { code: "unavailable", message: "temporarily unavailable, retry shortly" } });
      }
    }
  };
}
