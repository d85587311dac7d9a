import "server-only";

/** A refusal the access API turns into a 4xx answer (status, kebab-case code, message). */
export class AccessError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}
