import { startPostgres, type TestPostgres } from "./postgres";

/** vitest globalSetup (vitest.postgres.config.ts): one private PostgreSQL for the run. */
let postgres: TestPostgres | null = null;

export async function setup(): Promise<void> {
  postgres = await startPostgres();
  process.env.CARTOGRAPH_TEST_POSTGRES_PORT = String(postgres.port);
}

export async function teardown(): Promise<void> {
  await postgres?.stop();
}
