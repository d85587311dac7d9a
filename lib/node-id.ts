/**
 * Map node ids carry the environment of their services (`service:checkout?env=production`,
 * `database:postgresql://db:5432/orders?via=api&env=staging`); a node of services without
 * `deployment.environment(.name)` has none. Client-safe: the server builds ids with these
 * functions and the UI reads them back.
 */
/** The environment filter value that selects services without `deployment.environment(.name)`. */
export const NO_ENVIRONMENT = "(none)";

export function withEnvironment(id: string, environment: string | null | undefined): string {
  if (!environment) return id;
  return `${id}${id.includes("?") ? "&" : "?"}env=${encodeURIComponent(environment)}`;
}

/** The environment a node id carries (null: none). */
export function environmentOfNodeId(id: string): string | null {
  const m = /[?&]env=([^&?]*)$/.exec(id);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return m[1]!;
  }
}

/** The map node id of a service in an environment (null / absent: none). */
export function serviceNodeId(name: string, environment?: string | null): string {
  return withEnvironment(`service:${name}`, environment);
}

/** A node id without its environment part (coupling findings name nodes without one). */
export function stripEnvironment(id: string): string {
  return id.replace(/[?&]env=[^&?]*$/, "");
}
