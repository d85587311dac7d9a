import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createIngestStore } from "./ingest";
import { openWriterDb, type Db } from "./open";
import { countSpansByService } from "./read-spans";
import { createSpanFactory } from "../../../tests/fixtures/servicegraph/span-factory";

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "ingest-store-"));
  db = openWriterDb(dir);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const batch = (spans: ReturnType<ReturnType<typeof createSpanFactory>["server"]>[]) => ({
  spans,
  points: [],
  logs: [],
});

describe("raw appends", () => {
  it("a rolled-back append leaves no resource id behind: the spans written after it keep their services", async () => {
    const ingest = createIngestStore(db);
    const f = createSpanFactory();
    const checkout = f.server("checkout");
    // A span the store cannot take (a timestamp past 2262) fails the whole transaction, after
    // the new `checkout` resource was inserted in it.
    const poison = f.server("checkout");
    poison.startNs = 2n ** 64n - 1n;
    poison.endNs = poison.startNs;
    expect(() => ingest.append([batch([checkout, poison])], Date.now())).toThrow();
    // The writer then writes the request's spans one by one (the same resource object), and
    // another client's new service comes next.
    expect((await ingest.append([batch([checkout])], Date.now())).inserted).toHaveLength(1);
    expect((await ingest.append([batch([f.server("payments")])], Date.now())).inserted).toHaveLength(1);
    expect(Object.fromEntries(countSpansByService(db))).toEqual({ checkout: 1, payments: 1 });
  });
});
