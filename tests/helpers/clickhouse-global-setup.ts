import { startClickHouse, type LoopbackClickHouse } from "./clickhouse";

/** vitest globalSetup (vitest.clickhouse.config.ts): one loopback ClickHouse node for the run. */
let ch: LoopbackClickHouse | null = null;

export async function setup(): Promise<void> {
  ch = await startClickHouse();
  process.env.CARTOGRAPH_TEST_CLICKHOUSE_URL = ch.nodes[0]!.url;
}

export async function teardown(): Promise<void> {
  await ch?.stop();
}
