import { z } from "zod";

/** RED statistics shared by services, operations, map nodes and edges (latencies null without data). */
export const redStatsSchema = z
  .object({
    requests: z.number().int().min(0),
    errors: z.number().int().min(0),
    /** errors / requests; 0 with no requests. */
    errorRate: z.number().min(0).max(1),
    rps: z.number().min(0),
    p50Ms: z.number().nullable(),
    p95Ms: z.number().nullable(),
    p99Ms: z.number().nullable(),
  })
  .meta({ id: "RedStats" });
export type RedStats = z.infer<typeof redStatsSchema>;

/** The error body of every 4xx/5xx answer. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "kebab-case, stable" }),
      message: z.string().meta({ description: "what was wrong and how to fix it" }),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: "Error", example: { error: { code: "bad-request", message: "from (2000) must be before to (1000)" } } });
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Field-level validation errors carried in `error.details.fields` of a 400. */
export const fieldErrorSchema = z.object({ path: z.string(), message: z.string() });
export type FieldError = z.infer<typeof fieldErrorSchema>;

export const attributeValueSchema: z.ZodType<unknown> = z.unknown();
export const attributesSchema = z.record(z.string(), z.unknown());
export type Attributes = Record<string, unknown>;

/** `{"deleted": id}`: the answer of every DELETE. */
export const deletedSchema = z.object({ deleted: z.string() });

// Query parameters arrive as strings: these turn them into numbers with messages that name
// what was expected (the router puts the parameter's name in front).

/** A finite number from a query string ("" counts as absent). */
export const numberParam = z
  .string()
  .transform((v, ctx) => {
    const n = v.trim() === "" ? NaN : Number(v);
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: "custom", message: `expected a number, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return n;
  })
  .meta({ type: "number" } as never);

/** A whole number from a query string. */
export const integerParam = z
  .string()
  .regex(/^-?\d+$/, "expected a whole number")
  .transform(Number)
  .meta({ type: "integer" } as never);

/**
 * A query parameter that may repeat (`attr=a=1&attr=b=2`): the router passes a repeated key
 * as an array, a single one as a string; this always gives an array.
 */
export function repeatedParam<T extends z.ZodType<unknown, string>>(item: T) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(item));
}

import { NO_ENVIRONMENT } from "../node-id";
export { NO_ENVIRONMENT };

/**
 * Which part of the fleet a read covers. Absent: every environment and namespace (so scripts
 * written before environments existed keep their answers).
 */
export const scopeQuery = {
  environment: z
    .string()
    .min(1, "environment must not be empty: omit it for all environments, or pass (none) for services without one")
    .max(256, "environment is at most 256 characters")
    .optional()
    .meta({
      description: `deployment.environment(.name); \`${NO_ENVIRONMENT}\` for services without one; absent: all environments`,
    }),
  namespace: z
    .string()
    .min(1, "namespace must not be empty")
    .max(256, "namespace is at most 256 characters")
    .optional()
    .meta({ description: "service.namespace" }),
};
