import "server-only";
import http from "node:http";
import https from "node:https";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { checkAddress, checkHostName, type AllowList } from "./ssrf-guard";

/**
 * Outbound HTTP for notifications, guarded against SSRF: http/https only; the host is
 * resolved, EVERY resolved address is checked, and the connection is pinned to the checked
 * address (no second lookup that DNS rebinding could answer differently); redirects are
 * followed manually (at most 3) and each hop is checked again; credentials are dropped when a
 * redirect changes host; time and response-size caps. Only the status is reported back.
 */
export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export interface SafeFetchOptions {
  allow: AllowList;
  resolver?: Resolver;
  timeoutMs?: number;
  maxRedirects?: number;
}

export interface SafeResponse {
  status: number;
  /** First bytes of the body, for error messages only. */
  snippet: string;
}

export class RefusedTargetError extends Error {
  readonly refused = true;
}

const defaultResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });
const MAX_RESPONSE_BYTES = 64 * 1024;

export async function postJson(
  rawUrl: string,
  body: unknown,
  headers: Record<string, string>,
  opts: SafeFetchOptions,
): Promise<SafeResponse> {
  let url = new URL(rawUrl);
  let method = "POST";
  let payload: string | undefined = JSON.stringify(body);
  let hdrs = { ...headers };
  const maxRedirects = opts.maxRedirects ?? 3;
  for (let hop = 0; ; hop++) {
    const pinned = await resolveChecked(url, opts);
    const res = await requestOnce(url, pinned, method, payload, hdrs, opts.timeoutMs ?? 10_000);
    if (res.status >= 300 && res.status < 400 && res.location) {
      if (hop >= maxRedirects) throw new Error(`too many redirects (more than ${maxRedirects})`);
      const next = new URL(res.location, url);
      if (next.host !== url.host) hdrs = stripCredentials(hdrs);
      if (res.status === 301 || res.status === 302 || res.status === 303) {
        method = "GET";
        payload = undefined;
      }
      url = next;
      continue;
    }
    return { status: res.status, snippet: res.snippet };
  }
}

function stripCredentials(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (!/^(authorization|cookie|x-api-key|.*token.*)$/i.test(k)) out[k] = v;
  return out;
}

/** Checks scheme, host and every resolved address; returns the address to connect to. */
export async function resolveChecked(url: URL, opts: SafeFetchOptions): Promise<{ address: string; family: number }> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RefusedTargetError(`refused ${url.protocol} URL: only http and https are allowed`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const hostProblem = checkHostName(host);
  if (hostProblem) throw new RefusedTargetError(`refused ${url.host}: ${hostProblem}`);
  const literal = isIP(host);
  const addrs = literal ? [{ address: host, family: literal }] : await (opts.resolver ?? defaultResolver)(host);
  if (addrs.length === 0) throw new Error(`host ${host} did not resolve`);
  for (const a of addrs) {
    const problem = checkAddress(a.address, host, opts.allow);
    if (problem) throw new RefusedTargetError(`refused ${url.host}: ${problem}`);
  }
  return addrs[0]!;
}

function requestOnce(
  url: URL,
  pinned: { address: string; family: number },
  method: string,
  payload: string | undefined,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; location?: string; snippet: string }> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === "https:" ? https : http;
    const req = mod.request(
      url,
      {
        method,
        headers: {
          ...headers,
          ...(payload !== undefined
            ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
            : {}),
          "user-agent": "Cartograph-Alerting/0.1",
        },
        // Pin the connection to the address that was checked.
        lookup: (_h: string, o: unknown, cb: (...args: unknown[]) => void) =>
          (o as { all?: boolean }).all ? cb(null, [pinned]) : cb(null, pinned.address, pinned.family),
        timeout: timeoutMs,
        agent: false,
      } as http.RequestOptions,
      (res) => {
        let size = 0;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size <= MAX_RESPONSE_BYTES) chunks.push(c);
          else res.destroy();
        });
        const done = () =>
          resolve({
            status: res.statusCode ?? 0,
            location: typeof res.headers.location === "string" ? res.headers.location : undefined,
            snippet: Buffer.concat(chunks).toString("utf8").slice(0, 300),
          });
        res.on("end", done);
        res.on("close", done);
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
