import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openControlDb, type ControlDb } from "../../store";
import { createControlPolicyStore } from "./store";

/**
 * The policy in the control plane (a real migrated SQLite control database): what one store
 * saves another over the same database reads (two instances), and the file is an import that
 * only a change of its content brings in.
 */
const dbs: ControlDb[] = [];
afterAll(async () => {
  for (const db of dbs) await db.$disconnect();
});

async function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), "policy-store-"));
  const db = await openControlDb({ kind: "sqlite", url: path.join(dir, "control.db") });
  dbs.push(db);
  return { dir, db, file: path.join(dir, "cartograph.yaml") };
}

/** Sets the file's text with a new mtime (a hand edit within the same second still counts). */
let tick = 0;
function writeFile(file: string, text: string) {
  writeFileSync(file, text);
  const t = new Date(Date.now() + ++tick * 1000);
  utimesSync(file, t, t);
}

describe("architecture policy in the control plane", () => {
  it("stores valid text for every store on the database, refuses text with mistakes", async () => {
    const { db, file } = await setup();
    const a = createControlPolicyStore(db, file);
    const b = createControlPolicyStore(db, file);
    expect((await b.get()).exists).toBe(false);
    const ok = await a.save("# ours\ngroups:\n  orders: [orders-api, orders-worker]\n", "admin");
    expect(ok.ok).toBe(true);
    const seen = await b.get();
    expect(seen.policy.groups.orders).toEqual(["orders-api", "orders-worker"]);
    expect(seen.text).toContain("# ours");
    expect(seen.source).toBe("api");
    const bad = await a.save("groups: 3\n");
    expect(bad.ok).toBe(false);
    expect((await b.get()).text).toContain("# ours");
  });

  it("imports the file when none is stored and when its content changes; a PUT outlives an unchanged file", async () => {
    const { db, file } = await setup();
    writeFile(file, "groups:\n  billing: [billing, billing-worker]\n");
    const imported = await createControlPolicyStore(db, file).get();
    expect(imported.source).toBe("file");
    expect(imported.policy.groups.billing).toEqual(["billing", "billing-worker"]);

    const api = createControlPolicyStore(db, file);
    await api.save("groups:\n  orders: [orders-api]\n");
    // A restarted instance with the same file: the stored (PUT) policy wins.
    const restarted = await createControlPolicyStore(db, file).get();
    expect(restarted.source).toBe("api");
    expect(restarted.policy.groups).toEqual({ orders: ["orders-api"] });
    // Touching the file without changing it imports nothing either.
    writeFile(file, "groups:\n  billing: [billing, billing-worker]\n");
    expect((await api.get()).source).toBe("api");

    // A hand edit of the file is imported by a running instance, and seen by the others.
    writeFile(file, "groups:\n  shipping: [shipping-api]\n");
    expect((await api.get()).policy.groups).toEqual({ shipping: ["shipping-api"] });
    expect((await createControlPolicyStore(db, path.join(path.dirname(file), "absent.yaml")).get()).source).toBe(
      "file",
    );
  });

  it("keeps the stored policy when the changed file has mistakes, and says so", async () => {
    const { db, file } = await setup();
    const rejected: number[] = [];
    const store = createControlPolicyStore(db, file, {
      onFileRejected: (_f, errors) => rejected.push(errors[0]!.line!),
    });
    await store.save("groups:\n  orders: [orders-api]\n");
    writeFile(file, "groups:\n  orders: [orders-api]\nrules:\n  nope: {}\n");
    const state = await store.get();
    expect(state.policy.groups).toEqual({ orders: ["orders-api"] });
    expect(state.errors).toEqual([]);
    expect(rejected).toEqual([4]);
  });

  it("lets the last instance whose file changed win, without instances taking turns", async () => {
    const { dir, db } = await setup();
    const fileA = path.join(dir, "a.yaml");
    const fileB = path.join(dir, "b.yaml");
    writeFile(fileA, "groups:\n  a: [a1]\n");
    writeFile(fileB, "groups:\n  b: [b1]\n");
    const a = createControlPolicyStore(db, fileA);
    const b = createControlPolicyStore(db, fileB);
    expect((await a.get()).policy.groups).toEqual({ a: ["a1"] });
    expect((await b.get()).policy.groups).toEqual({ b: ["b1"] });
    expect((await a.get()).policy.groups).toEqual({ b: ["b1"] });
    expect((await b.get()).policy.groups).toEqual({ b: ["b1"] });
  });
});
