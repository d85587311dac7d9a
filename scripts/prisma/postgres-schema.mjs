// Writes prisma/postgresql/schema.prisma from prisma/schema.prisma: the same models, with the
// PostgreSQL datasource and its own generated client (generated/prisma-pg). The SQLite schema is
// the one to edit; `npm run prisma:schemas` rewrites the PostgreSQL copy and a unit test fails
// while the two disagree. Plain JavaScript, no TypeScript loader.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SQLITE_SCHEMA = path.join(ROOT, "prisma", "schema.prisma");
export const POSTGRES_SCHEMA = path.join(ROOT, "prisma", "postgresql", "schema.prisma");

const HEADER = `// GENERATED from prisma/schema.prisma by \`npm run prisma:schemas\`: edit that file, not this one.
// The PostgreSQL control plane (CARTOGRAPH_CONTROL_DATABASE_URL=postgres://...). The url below
// only satisfies \`prisma generate\`; the server connects through @prisma/adapter-pg.
generator client {
  provider        = "prisma-client"
  output          = "../../generated/prisma-pg"
  engineType      = "client"
  previewFeatures = ["queryCompiler", "driverAdapters"]
}

datasource db {
  provider = "postgresql"
  url      = "postgresql://localhost:5432/cartograph"
}
`;

/** The PostgreSQL schema text for a SQLite schema text: everything after its datasource block. */
export function derivePostgresSchema(sqliteSchema) {
  const m = /datasource\s+db\s*\{[^}]*\}\n/.exec(sqliteSchema);
  if (!m) throw new Error("prisma/schema.prisma has no `datasource db { ... }` block");
  return HEADER + sqliteSchema.slice(m.index + m[0].length);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(POSTGRES_SCHEMA, derivePostgresSchema(readFileSync(SQLITE_SCHEMA, "utf8")));
  console.log(`wrote ${path.relative(ROOT, POSTGRES_SCHEMA)}`);
}
