import "server-only";

/** A read the ClickHouse store does not serve yet: fails loudly instead of answering "no data". */
export function unsupported(what: string): () => Promise<never> {
  return () => Promise.reject(new Error(`${what} are not stored in ClickHouse yet (CARTOGRAPH_STORE=clickhouse keeps spans, RED and the service graph)`));
}
