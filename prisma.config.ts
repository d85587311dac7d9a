import { mkdirSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

/**
 * Prisma CLI config (offline recipe, see docs/architecture.md, "Storage"): the JS engine with the
 * better-sqlite3 adapter, so generate / migrate diff / migrate deploy need no download.
 * The CLI targets <CARTOGRAPH_DATA_DIR>/control.db; the server applies migrations itself.
 */
const dataDir = process.env.CARTOGRAPH_DATA_DIR || "./data";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  async adapter() {
    mkdirSync(dataDir, { recursive: true });
    return new PrismaBetterSQLite3({ url: "file:" + path.join(dataDir, "control.db") });
  },
});
