import "server-only";
import type { ZodError } from "zod";

/** An error a route answers with: `{"error": {"code", "message"}}` and the given status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Response headers that belong to the error (e.g. Allow on a 405). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export function badRequest(message: string, details?: unknown): ApiError {
  return new ApiError(400, "bad-request", message, details);
}

export function notFound(message: string): ApiError {
  return new ApiError(404, "not-found", message);
}

/** Turns zod issues into one readable sentence plus field-level details. */
export function fromZodError(err: ZodError, what = "request"): ApiError {
  const fields = err.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const summary = fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join("; ");
  return new ApiError(400, "invalid-" + what, `invalid ${what}: ${summary}`, { fields });
}
