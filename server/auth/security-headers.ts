import "server-only";
import { randomBytes } from "node:crypto";

/**
 * Response headers for the UI/API port. The CSP allows scripts from this origin and inline
 * scripts carrying the per-response nonce only: Next.js reads the nonce from the request's
 * `content-security-policy` header and puts it on the inline scripts it renders. Styles allow
 * 'unsafe-inline' because the map and charts position elements with style attributes, which
 * nonces cannot cover.
 */
export function createNonce(): string {
  return randomBytes(16).toString("base64");
}

export function buildCsp(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** JSON answers and other non-HTML responses: nothing may run or frame them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

export function buildSecurityHeaders(csp: string, https: boolean): Record<string, string> {
  const h: Record<string, string> = {
    "content-security-policy": csp,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
  };
  if (https) h["strict-transport-security"] = "max-age=15552000";
  return h;
}
