import "server-only";
import { createRequire } from "node:module";
import type { ClickHouseClient } from "@clickhouse/client";
import type { ClickHouseSettings } from "./settings";

/**
 * @clickhouse/client is required on the first connection, not imported: the embedded (SQLite)
 * store never loads it, also in the compiled server, where a static import of a package would
 * be hoisted to the top of the bundle and loaded at start whichever store runs.
 */
let clientModule: typeof import("@clickhouse/client") | null = null;
function createClient(...args: Parameters<typeof import("@clickhouse/client").createClient>): ClickHouseClient {
  clientModule ??= createRequire(import.meta.url)("@clickhouse/client") as typeof import("@clickhouse/client");
  return clientModule.createClient(...args);
}

/**
 * HTTP connections to ClickHouse. `main` serves reads and inserts; `nodes` has one client per
 * listed node for DDL and partition maintenance (a cluster without ZooKeeper has no ON CLUSTER).
 * Inserts wait for the Distributed table to forward rows to their shard
 * (insert_distributed_sync), so an acknowledged span is on its shard, not in a local queue.
 */
export interface Connection {
  main: ClickHouseClient;
  nodes: ClickHouseClient[];
  settings: ClickHouseSettings;
  close(): Promise<void>;
}

function clientFor(url: string, s: ClickHouseSettings, database: string): ClickHouseClient {
  return createClient({
    url,
    username: s.user,
    password: s.password,
    database,
    request_timeout: 60_000,
    // Older servers close idle keep-alive sockets after 3 s; drop ours well before that, and
    // never reuse one whose TTL passed while the event loop was busy (a saturated process
    // otherwise sends a query down a socket the server has closed: "socket hang up").
    keep_alive: { enabled: true, idle_socket_ttl: 1000, eagerly_destroy_stale_sockets: true },
    // 18.16 rejects settings it does not know; send only ones every release has.
    clickhouse_settings: s.cluster ? { insert_distributed_sync: 1 } : {},
  });
}

export function openConnection(s: ClickHouseSettings): Connection {
  const nodes = s.urls.map((u) => clientFor(u, s, s.database));
  return {
    main: nodes[0]!,
    nodes,
    settings: s,
    close: async () => {
      await Promise.all(nodes.map((n) => n.close()));
    },
  };
}

/** A client on the `default` database, used once to create the store's database. */
export function openBootstrapClient(url: string, s: ClickHouseSettings): ClickHouseClient {
  return clientFor(url, s, "default");
}

/** A keep-alive socket the server closed as the request went out (reads are safe to resend). */
function isDroppedSocket(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === "ECONNRESET" || /socket hang up/.test(e?.message ?? "");
}

/** A read; sent once more when its socket was dropped under it (a busy process, see clientFor). */
export async function queryRows<T>(
  client: ClickHouseClient,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const once = async () => {
    const rs = await client.query({ query, query_params: params, format: "JSONEachRow" });
    return (await rs.json()) as T[];
  };
  try {
    return await once();
  } catch (err) {
    if (!isDroppedSocket(err)) throw err;
    return once();
  }
}
