import "server-only";
import net from "node:net";

/**
 * Decisions taken on every request to the UI/API port, auth or not (pure: headers in,
 * verdict out). Host allow-list against DNS rebinding; JSON content type and a same-origin
 * proof on mutations against cross-site request forgery.
 */
export interface GuardRefusal {
  status: 403 | 421;
  code: string;
  message: string;
}

export interface HostAllowList {
  /** Exact host names (lower case). */
  names: Set<string>;
  /** Suffixes from `*.example.com` entries, stored as `.example.com`. */
  suffixes: string[];
}

/** Loopback names and addresses: what `auto` authentication treats as "only this machine". */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (net.isIPv4(h)) return h.startsWith("127.");
  if (net.isIPv6(h)) return h === "::1" || h === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(h);
  return false;
}

export function resolveAuthEnabled(mode: "auto" | "on" | "off", bindHost: string): boolean {
  if (mode === "auto") return !isLoopbackHost(bindHost);
  return mode === "on";
}

/** Builds the allow-list from CARTOGRAPH_ALLOWED_HOSTS (comma list) and the public URL's host. */
export function buildHostAllowList(allowedHosts: string, publicUrl: string): HostAllowList {
  const names = new Set<string>();
  const suffixes: string[] = [];
  for (const raw of allowedHosts.split(",")) {
    const entry = raw.trim().toLowerCase().replace(/:\d+$/, "");
    if (!entry) continue;
    if (entry.startsWith("*.")) suffixes.push(entry.slice(1));
    else names.add(entry);
  }
  names.add(new URL(publicUrl).hostname.toLowerCase().replace(/^\[|\]$/g, ""));
  return { names, suffixes };
}

/** The host name of a Host header without port or IPv6 brackets; null when malformed. */
export function parseHostHeader(value: string | undefined): string | null {
  if (!value) return null;
  const v = value.trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(v);
  if (!m || (m[2] !== undefined && Number(m[2]) > 65535)) return null;
  return m[1]!.replace(/^\[|\]$/g, "").replace(/\.$/, "");
}

/** 421 for a Host this server does not answer to (a DNS-rebinding page's requests carry its own name). */
export function checkHost(hostHeader: string | undefined, allow: HostAllowList): GuardRefusal | null {
  const host = parseHostHeader(hostHeader);
  if (host !== null) {
    if (isLoopbackHost(host) || net.isIP(host) !== 0 || allow.names.has(host)) return null;
    if (allow.suffixes.some((s) => host.endsWith(s))) return null;
  }
  return {
    status: 421,
    code: "unknown-host",
    message: `this server does not answer to Host ${JSON.stringify(hostHeader ?? "")}; add the name to CARTOGRAPH_ALLOWED_HOSTS (or set CARTOGRAPH_PUBLIC_URL)`,
  };
}

const MUTATIONS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function isMutation(method: string | undefined): boolean {
  return MUTATIONS.has((method ?? "GET").toUpperCase());
}

export interface MutationHeaders {
  method: string;
  host?: string;
  contentType?: string;
  contentLength?: string;
  transferEncoding?: string;
  origin?: string;
  secFetchSite?: string;
}

/**
 * A mutation must be JSON (HTML forms cannot send it cross-site without a CORS preflight, which
 * this server never grants) and, when the client is a browser, same-origin: `Origin` equal to
 * the Host it was sent to or to the public URL's origin, `Sec-Fetch-Site` same-origin or none.
 * A client sending neither header is not a browser (curl, scripts, the CLI) and passes, unless
 * it authenticates with a browser credential (`browserCredential`: the session cookie), which
 * then needs a positive same-origin proof.
 */
export function checkMutation(
  h: MutationHeaders,
  publicOrigin: string,
  browserCredential: boolean,
): GuardRefusal | null {
  const method = h.method.toUpperCase();
  if (!MUTATIONS.has(method)) return null;
  const hasBody = (h.contentLength !== undefined && h.contentLength !== "0") || h.transferEncoding !== undefined;
  const type = (h.contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if ((method !== "DELETE" || hasBody) && type !== "application/json") {
    return refuse(
      "json-required",
      `${method} needs content-type: application/json (got ${JSON.stringify(h.contentType ?? "")})`,
    );
  }
  const site = h.secFetchSite?.trim().toLowerCase();
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    return refuse("cross-site-request", `cross-site ${method} refused (Sec-Fetch-Site: ${site})`);
  }
  if (h.origin !== undefined) {
    if (!isSameOrigin(h.origin, h.host, publicOrigin))
      return refuse(
        "cross-origin-request",
        `${method} from origin ${JSON.stringify(h.origin)} refused: only this server's own pages may change data`,
      );
    return null;
  }
  if (site === undefined && browserCredential) {
    return refuse(
      "origin-required",
      `${method} with a session cookie needs an Origin or Sec-Fetch-Site header; scripts should use an API token`,
    );
  }
  return null;
}

function isSameOrigin(origin: string, hostHeader: string | undefined, publicOrigin: string): boolean {
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false; // includes the opaque origin "null" (sandboxed frames, file:, data:)
  }
  if (o.protocol !== "http:" && o.protocol !== "https:") return false;
  if (o.origin === publicOrigin) return true;
  return hostHeader !== undefined && o.host.toLowerCase() === hostHeader.trim().toLowerCase();
}

function refuse(code: string, message: string): GuardRefusal {
  return { status: 403, code, message };
}
