import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  ANONYMOUS_ADMIN,
  API_CSP,
  buildCsp,
  buildHostAllowList,
  buildSecurityHeaders,
  checkHost,
  checkMutation,
  createNonce,
  type AccessService,
  type Principal,
} from "../auth";
import type { Config } from "../platform/config";
import { sendJson } from "../api";

/**
 * What the UI/API port does before routing a request, auth or not: Host allow-list (421),
 * security headers, CSRF checks on API mutations (403), and, with authentication on, who is
 * calling: API calls without credentials get 401 JSON from the router, UI pages redirect to
 * /login. Ingest, /metrics and the probes are not gated here (ingest keys guard ingest).
 */
export type GateResult = { done: true } | { done: false; principal: Principal | null };

export interface AccessGate {
  (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<GateResult>;
}

/** UI paths anyone may load: the sign-in and setup pages and the static assets they need. */
function isPublicUiPath(pathname: string): boolean {
  return (
    pathname === "/login" ||
    pathname === "/setup" ||
    pathname.startsWith("/_next/static/") ||
    pathname === "/favicon.ico" ||
    pathname === "/theme-init.js" ||
    pathname === "/elk-worker.min.js"
  );
}

function isApiPath(pathname: string): boolean {
  return pathname.startsWith("/api/") || pathname === "/api" || pathname.startsWith("/jaeger/");
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function createAccessGate(config: Config, access: AccessService): AccessGate {
  const allow = buildHostAllowList(config.CARTOGRAPH_ALLOWED_HOSTS, config.CARTOGRAPH_PUBLIC_URL);
  const publicOrigin = new URL(config.CARTOGRAPH_PUBLIC_URL).origin;
  const https = publicOrigin.startsWith("https:");

  return async (req, res, pathname) => {
    const hostRefusal = checkHost(req.headers.host, allow);
    if (hostRefusal) {
      sendJson(res, hostRefusal.status, { error: { code: hostRefusal.code, message: hostRefusal.message } });
      return { done: true };
    }
    const api = isApiPath(pathname);
    let csp = API_CSP;
    if (!api) {
      // Next.js takes the nonce for its inline scripts from this request header.
      csp = buildCsp(createNonce());
      req.headers["content-security-policy"] = csp;
    }
    for (const [k, v] of Object.entries(buildSecurityHeaders(csp, https))) res.setHeader(k, v);

    const caller = access.authEnabled
      ? await access.identify({ cookie: req.headers.cookie, authorization: header(req, "authorization") })
      : { principal: ANONYMOUS_ADMIN, browserCredential: false };
    if (api) {
      const refusal = checkMutation(
        {
          method: req.method ?? "GET",
          host: req.headers.host,
          contentType: header(req, "content-type"),
          contentLength: header(req, "content-length"),
          transferEncoding: header(req, "transfer-encoding"),
          origin: header(req, "origin"),
          secFetchSite: header(req, "sec-fetch-site"),
        },
        publicOrigin,
        caller.browserCredential,
      );
      if (refusal) {
        req.resume();
        sendJson(res, refusal.status, { error: { code: refusal.code, message: refusal.message } });
        return { done: true };
      }
      if (!caller.principal && pathname.startsWith("/jaeger/")) {
        sendJson(res, 401, {
          error: {
            code: "unauthenticated",
            message: "sign in, or send Authorization: Bearer <API token>, to use the Jaeger query API",
          },
        });
        return { done: true };
      }
      return { done: false, principal: caller.principal };
    }
    if (caller.principal || isPublicUiPath(pathname)) return { done: false, principal: caller.principal };
    const next = (req.url ?? "/").startsWith("/") ? (req.url ?? "/") : "/";
    res.writeHead(303, { location: `/login?next=${encodeURIComponent(next)}`, "cache-control": "no-store" });
    res.end();
    return { done: true };
  };
}
