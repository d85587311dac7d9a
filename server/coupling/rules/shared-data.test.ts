import { describe, expect, it } from "vitest";
import { analyzeCoupling } from "../analyze";
import { defaultPolicy, PolicySchema } from "../policy/schema";
import { dbUser, NOW, WINDOW } from "../../../tests/fixtures/coupling/builder";
import type { Span } from "../../normalize";

const run = (spans: Span[], policy = defaultPolicy()) => analyzeCoupling(spans, policy, NOW, WINDOW).violations;
const byRule = (spans: Span[], rule: string, policy = defaultPolicy()) =>
  run(spans, policy).filter((v) => v.rule === rule);

const pg = (db: string, extra: Record<string, unknown> = {}) => ({
  "db.system.name": "postgresql",
  "server.address": "db-main",
  "server.port": 5432,
  "db.namespace": db,
  ...extra,
});

describe("shared-database", () => {
  it("fires when two services use one database without naming tables (medium, insufficient evidence)", () => {
    const v = byRule([...dbUser("orders", 20, pg("shop")), ...dbUser("billing", 20, pg("shop"))], "shared-database");
    expect(v).toHaveLength(1);
    expect(v[0]!.services).toEqual(["billing", "orders"]);
    expect(v[0]!.severity).toBe("warning");
    expect(v[0]!.resources[0]).toMatch(/^database:postgresql:\/\/db-main:5432\/shop/);
    expect(v[0]!.evidence.calls).toBe(40);
    expect(v[0]!.evidence.traceIds.length).toBeGreaterThan(0);
    expect(v[0]!.message).toMatch(/insufficient evidence/);
    expect(Date.parse(v[0]!.firstSeen)).toBeLessThanOrEqual(Date.parse(v[0]!.lastSeen));
  });

  it("treats old and new semantic-convention names as the same database (one finding, not two)", () => {
    const legacy = { "db.system": "postgresql", "net.peer.name": "DB-MAIN.", "net.peer.port": 5432, "db.name": "shop" };
    const dup = { ...legacy, ...pg("shop") };
    const v = byRule([...dbUser("orders", 20, legacy), ...dbUser("billing", 20, dup)], "shared-database");
    expect(v).toHaveLength(1);
    expect(v[0]!.services).toEqual(["billing", "orders"]);
  });

  it("reports one server with a private database per service only as info", () => {
    const v = byRule(
      [...dbUser("orders", 20, pg("orders")), ...dbUser("billing", 20, pg("billing"))],
      "shared-database",
    );
    expect(v).toHaveLength(1);
    expect(v[0]!.severity).toBe("info");
    expect(v[0]!.evidence.level).toBe("server");
  });

  it("does not merge two pods' sidecar proxies on localhost into one database", () => {
    const local = { "db.system": "postgresql", "server.address": "localhost", "server.port": 5432, "db.name": "app" };
    const spans = [
      ...dbUser("orders", 20, local, { "host.name": "orders-pod-1" }),
      ...dbUser("billing", 20, local, { "host.name": "billing-pod-7" }),
    ];
    expect(byRule(spans, "shared-database")).toEqual([]);
  });

  it("ignores embedded databases", () => {
    const h2 = { "db.system": "h2", "server.address": "mem", "db.name": "test" };
    expect(byRule([...dbUser("orders", 20, h2), ...dbUser("billing", 20, h2)], "shared-database")).toEqual([]);
  });

  it("does not count a migration job as a second owner", () => {
    const spans = [...dbUser("orders", 20, pg("shop")), ...dbUser("flyway-migrator", 20, pg("shop"))];
    expect(byRule(spans, "shared-database")).toEqual([]);
    const declared = PolicySchema.parse({ roles: { migration: ["schema-job"] } });
    expect(
      byRule(
        [...dbUser("orders", 20, pg("shop")), ...dbUser("schema-job", 20, pg("shop"))],
        "shared-database",
        declared,
      ),
    ).toEqual([]);
  });

  it("treats an API + worker pair of one context as one owner", () => {
    const spans = [...dbUser("orders-api", 20, pg("shop")), ...dbUser("orders-worker", 20, pg("shop"))];
    expect(byRule(spans, "shared-database")).toEqual([]);
    const grouped = PolicySchema.parse({
      inferGroups: false,
      groups: { ordering: ["checkout-frontend", "fulfilment"] },
    });
    const named = [...dbUser("checkout-frontend", 20, pg("shop")), ...dbUser("fulfilment", 20, pg("shop"))];
    expect(byRule(named, "shared-database", grouped)).toEqual([]);
    expect(byRule(named, "shared-database", defaultPolicy())).toHaveLength(1);
  });

  it("reports a cache shared through key prefixes as info only", () => {
    const redis = (p: string) => ({
      "db.system": "redis",
      "server.address": "cache",
      "server.port": 6379,
      "db.namespace": "0",
      "db.query.text": `GET ${p}:?`,
    });
    const v = byRule(
      [...dbUser("orders", 20, redis("orders")), ...dbUser("billing", 20, redis("billing"))],
      "shared-database",
    );
    expect(v).toHaveLength(1);
    expect(v[0]!.severity).toBe("info");
  });

  it("needs minimum support from each owner", () => {
    expect(
      byRule([...dbUser("orders", 20, pg("shop")), ...dbUser("billing", 2, pg("shop"))], "shared-database"),
    ).toEqual([]);
  });

  it("grades private schemas in one database as low", () => {
    const v = byRule(
      [...dbUser("orders", 20, pg("shop|orders")), ...dbUser("billing", 20, pg("shop|billing"))],
      "shared-database",
    );
    expect(v).toHaveLength(1);
    expect(v[0]!.level).toBe("low");
  });
});

describe("shared-table", () => {
  const sql = (q: string, extra = {}) => pg("shop|public", { "db.query.text": q, ...extra });
  it("is critical when two services write the same table", () => {
    const spans = [
      ...dbUser("orders", 10, sql("INSERT INTO invoices (id) VALUES ($1)")),
      ...dbUser("billing", 10, sql("UPDATE invoices SET paid = $1 WHERE id = $2")),
    ];
    const v = byRule(spans, "shared-table");
    expect(v).toHaveLength(1);
    expect(v[0]!.severity).toBe("critical");
    expect(v[0]!.evidence.table).toBe("invoices");
    expect(v[0]!.services).toEqual(["billing", "orders"]);
  });

  it("is high for a foreign reader, naming the owner", () => {
    const spans = [
      ...dbUser("orders", 10, sql("INSERT INTO orders (id) VALUES (?)")),
      ...dbUser(
        "billing",
        10,
        pg("shop|public", { "db.query.summary": "SELECT orders", "db.operation.name": "SELECT" }),
      ),
    ];
    const v = byRule(spans, "shared-table");
    expect(v).toHaveLength(1);
    expect(v[0]!.level).toBe("high");
    expect(v[0]!.evidence.owner).toBe("orders");
  });

  it("ignores framework tables, outbox relays and disjoint tables", () => {
    const spans = [
      ...dbUser("orders", 10, sql("INSERT INTO flyway_schema_history VALUES (1)")),
      ...dbUser("billing", 10, sql("INSERT INTO flyway_schema_history VALUES (2)")),
      ...dbUser("orders", 10, sql("INSERT INTO orders_outbox VALUES (1)")),
      ...dbUser("relay", 10, sql("SELECT * FROM orders_outbox")),
      ...dbUser("orders", 10, sql("SELECT * FROM orders")),
      ...dbUser("billing", 10, sql("SELECT * FROM invoices")),
    ];
    expect(byRule(spans, "shared-table")).toEqual([]);
  });
});
