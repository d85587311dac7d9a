import type { z } from "zod";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";

/**
 * One entry of the API contract: what a route accepts and what it answers. The server's
 * router validates params/query/body with these schemas before the handler runs; the
 * OpenAPI document is generated from them; the UI's types are inferred from `response`.
 */
export interface Endpoint<
  P extends z.ZodObject = z.ZodObject,
  Q extends z.ZodObject = z.ZodObject,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  /** operationId in the OpenAPI document; camelCase, a verb first. */
  id: string;
  method: HttpMethod;
  /** e.g. `/api/v1/services/:name/operations` */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** What the body is, for the 400's code `invalid-<bodyName>` (default `body`). */
  bodyName?: string;
  /** The success answer's body. */
  response: R;
  /** The success status (default 200). */
  status?: number;
  /**
   * The route reads a time window: `from`/`to` (declared in `query` with windowQuery) are
   * resolved into `window` for the handler. `defaultMs` sets the default length (15 min).
   */
  window?: true | { defaultMs: number };
  /** Error statuses worth documenting besides 400 (e.g. 404, 503). */
  errors?: readonly number[];
}

// eslint-style `any` is needed here: an endpoint of any schemas.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEndpoint = Endpoint<any, any, any, any>;

/** Keeps the schemas' precise types (identity at run time). */
export function defineEndpoint<P extends z.ZodObject, Q extends z.ZodObject, B extends z.ZodType, R extends z.ZodType>(
  e: Endpoint<P, Q, B, R>,
): Endpoint<P, Q, B, R> {
  return e;
}

/** The JSON body an endpoint answers with, as the UI receives it. */
export type ResponseOf<E extends AnyEndpoint> = z.output<E["response"]>;
/** The body an endpoint accepts, as the UI sends it. */
export type BodyOf<E extends AnyEndpoint> =
  NonNullable<E["body"]> extends z.ZodType ? z.input<NonNullable<E["body"]>> : never;
