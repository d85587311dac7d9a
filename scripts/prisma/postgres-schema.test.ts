import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { derivePostgresSchema, POSTGRES_SCHEMA, SQLITE_SCHEMA } from "./postgres-schema.mjs";

describe("PostgreSQL Prisma schema", () => {
  it("has exactly the SQLite schema's models (run `npm run prisma:schemas` after editing prisma/schema.prisma)", () => {
    expect(readFileSync(POSTGRES_SCHEMA, "utf8")).toBe(derivePostgresSchema(readFileSync(SQLITE_SCHEMA, "utf8")));
  });
  it("differs only in generator output and datasource", () => {
    const pg = derivePostgresSchema(readFileSync(SQLITE_SCHEMA, "utf8"));
    expect(pg).toContain('provider = "postgresql"');
    expect(pg).toContain('output          = "../../generated/prisma-pg"');
    expect(pg).not.toContain('provider = "sqlite"');
  });
});
