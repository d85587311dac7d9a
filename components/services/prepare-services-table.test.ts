import { describe, expect, it } from "vitest";
import type { ServiceSummary } from "@/lib/api-types";
import { listDistinct, parseSort, prepareServicesTable } from "./prepare-services-table";

const svc = (name: string, o: Partial<ServiceSummary> = {}): ServiceSummary => ({
  name,
  namespace: "shop",
  environment: "prod",
  requests: 10,
  errors: 0,
  errorRate: 0,
  rps: 1,
  p50Ms: 1,
  p95Ms: 2,
  p99Ms: 3,
  health: "ok",
  ...o,
});

describe("prepareServicesTable", () => {
  const all = [
    svc("checkout", { p95Ms: 80, health: "warning" }),
    svc("billing", { namespace: "finance", p95Ms: null, health: "critical" }),
    svc("cart", { environment: "staging", p95Ms: 20 }),
  ];

  it("filters by name, namespace and environment", () => {
    expect(
      prepareServicesTable(all, { query: "C", namespace: "", environment: "" }, parseSort("name")).map((s) => s.name),
    ).toEqual(["cart", "checkout"]);
    expect(
      prepareServicesTable(all, { query: "", namespace: "finance", environment: "" }, parseSort("name")).map(
        (s) => s.name,
      ),
    ).toEqual(["billing"]);
    expect(
      prepareServicesTable(all, { query: "", namespace: "", environment: "staging" }, parseSort("name")).map(
        (s) => s.name,
      ),
    ).toEqual(["cart"]);
  });

  it("sorts with nulls last in both directions", () => {
    const f = { query: "", namespace: "", environment: "" };
    expect(prepareServicesTable(all, f, { key: "p95Ms", dir: "desc" }).map((s) => s.name)).toEqual([
      "checkout",
      "cart",
      "billing",
    ]);
    expect(prepareServicesTable(all, f, { key: "p95Ms", dir: "asc" }).map((s) => s.name)).toEqual([
      "cart",
      "checkout",
      "billing",
    ]);
    expect(prepareServicesTable(all, f, parseSort("")).map((s) => s.name)).toEqual(["billing", "checkout", "cart"]);
  });

  it("lists distinct namespaces", () => {
    expect(listDistinct(all, "namespace")).toEqual(["finance", "shop"]);
  });
});
