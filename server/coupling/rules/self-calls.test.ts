import { describe, expect, it } from "vitest";
import { analyzeCoupling } from "../analyze";
import { defaultPolicy } from "../policy/schema";
import { traces, NOW, WINDOW } from "../../../tests/fixtures/coupling/builder";

/**
 * Calls from a service to another instance of itself are real calls on the map (issue 13), but
 * no coupling rule treats them as coupling: a loop is not a dependency cycle, not a caller of a
 * hub, not a fan-out target, not a deep chain of services.
 */
describe("self-calls do not raise coupling findings", () => {
  it("a service calling itself, many times per request and in a chain, gives no finding", () => {
    const spans = traces(20, (t) => {
      const r = t.root("auth");
      let p = r;
      for (let i = 0; i < 6; i++) p = t.call(p, "auth", { route: "/introspect" });
      t.call(r, "users");
    });
    const rules = analyzeCoupling(spans, defaultPolicy(), NOW, WINDOW).violations.map((v) => v.rule);
    expect(
      rules.filter((r) =>
        ["cyclic-dependency", "deep-call-chain", "chatty-communication", "hub-service", "excessive-fan-out"].includes(
          r,
        ),
      ),
    ).toEqual([]);
  });

  it("a real cycle through a self-calling service is still found", () => {
    const spans = traces(15, (t) => {
      const r = t.root("orders");
      const s = t.call(r, "orders");
      const b = t.call(s, "billing");
      t.call(b, "orders", { route: "/orders/:id" });
    });
    const v = analyzeCoupling(spans, defaultPolicy(), NOW, WINDOW).violations.filter(
      (x) => x.rule === "cyclic-dependency",
    );
    expect(v).toHaveLength(1);
    expect(v[0]!.services).toEqual(["billing", "orders"]);
  });
});
