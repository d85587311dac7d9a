/**
 * The one fetch wrapper the UI uses (reads with fetchJson, mutations with sendJson). Relative
 * URLs (/api/v1/...): the UI is served by the same process as the API. A non-2xx answer throws
 * ApiRequestError carrying the API's message and, for a 400, its field-level errors.
 */
import type { FieldError } from "./contract";
import { takePrefetched } from "./prefetch";

/** A field-level error of a 400 (`error.details.fields`); some carry more (a policy's line and column). */
export type ApiFieldError = FieldError & Record<string, unknown>;

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** `error.details.fields` of the answer: what a form shows next to its inputs. */
    readonly fields: ApiFieldError[] = [],
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

export type QueryValue = string | number | boolean | null | undefined | Array<string | number>;

/** Builds `/api/v1/<path>?...`, skipping empty values; arrays repeat the key. */
export function buildApiUrl(path: string, query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) {
      for (const v of value) if (v !== "") params.append(key, String(v));
    } else {
      params.set(key, String(value));
    }
  }
  const qs = params.toString();
  return `/api/v1/${path.replace(/^\/+/, "")}${qs ? `?${qs}` : ""}`;
}

/** Percent-encodes one path segment (service names and ids may hold any character). */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment);
}

export async function fetchJson<T>(
  path: string,
  query: Record<string, QueryValue> = {},
  init: RequestInit = {},
): Promise<T> {
  const url = buildApiUrl(path, query);
  let res: Response;
  try {
    // A read the page's HTML already sent (lib/prefetch.ts) is answered from that request.
    const early = init.method === undefined ? takePrefetched(url, Date.now()) : null;
    res =
      (early && (await early.catch(() => null))) ||
      (await fetch(url, { ...init, headers: { accept: "application/json", ...init.headers } }));
  } catch (err) {
    throw new ApiRequestError(0, "network-error", `Cannot reach the Cartograph API (${(err as Error).message})`);
  }
  const text = await res.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (res.status === 401) redirectToLogin();
  if (!res.ok) throw toApiError(res.status, body, text);
  if (body === undefined) throw new ApiRequestError(res.status, "bad-response", `Expected JSON from ${url}`);
  return body as T;
}

/**
 * A JSON mutation as the API wants it: content-type JSON (the browser adds the same-origin
 * Origin), a body even when empty.
 */
export function sendJson<T>(method: "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
  return fetchJson<T>(
    path,
    {},
    { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body ?? {}) },
  );
}

/** A session that ended (expired, signed out elsewhere) sends the browser to the sign-in page. */
function redirectToLogin(): void {
  if (typeof window === "undefined") return;
  const { pathname, search } = window.location;
  if (pathname === "/login" || pathname === "/setup") return;
  window.location.assign(`/login?next=${encodeURIComponent(pathname + search)}`);
}

/** Maps an error answer to the message the API wrote (or a generic one naming the status). */
export function toApiError(status: number, body: unknown, text = ""): ApiRequestError {
  const err = (body as { error?: { code?: unknown; message?: unknown; details?: { fields?: unknown } } } | undefined)
    ?.error;
  if (err && typeof err.message === "string") {
    const fields = Array.isArray(err.details?.fields) ? (err.details.fields as ApiFieldError[]) : [];
    return new ApiRequestError(status, typeof err.code === "string" ? err.code : "error", err.message, fields);
  }
  const snippet = text.slice(0, 200).trim();
  return new ApiRequestError(status, "http-error", `HTTP ${status}${snippet ? `: ${snippet}` : ""}`);
}
