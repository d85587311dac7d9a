import { describe, expect, it } from "vitest";
import type { Span } from "../normalize";
import { CardinalityGuard, OVERFLOW_NAME } from "./cardinality-guard";

const span = (service: string, name: string, environment: string | null = null): Span =>
  ({ name, resource: { service, environment, namespace: null, attributes: {} } }) as unknown as Span;
const limits = { maxServices: 2, maxOperationsPerService: 2, maxOperations: 100, maxEnvironments: 1 };
const view = (spans: readonly Span[]) => spans.map((s) => [s.resource.service, s.name, s.resource.environment]);

describe("CardinalityGuard", () => {
  it("returns the same array when every name is admitted", () => {
    const g = new CardinalityGuard(limits);
    const spans = [span("a", "x"), span("b", "y"), span("a", "y")];
    expect(g.fold(spans)).toBe(spans);
  });

  it("folds new services, their operations, operations past a service's limit and new environments", () => {
    const g = new CardinalityGuard(limits);
    const out = g.fold([
      span("a", "x", "prod"),
      span("b", "x"),
      span("c", "x"),
      span("a", "y"),
      span("a", "z", "staging"),
      span("a", "x"),
    ]);
    expect(view(out)).toEqual([
      ["a", "x", "prod"],
      ["b", "x", null],
      [OVERFLOW_NAME, OVERFLOW_NAME, null],
      ["a", "y", null],
      ["a", OVERFLOW_NAME, OVERFLOW_NAME],
      ["a", "x", null],
    ]);
    expect(g.stats()).toEqual({
      foldedSpans: { service: 1, operation: 1, environment: 1 },
      knownServices: 2,
      knownOperations: 3,
      knownEnvironments: 1,
    });
  });

  it("admits seeded names first, within the limits", () => {
    const g = new CardinalityGuard(limits);
    g.seed([
      { service: "old", operations: ["o1", "o2", "o3"] },
      { service: "older", environment: "prod" },
      { service: "oldest" },
    ]);
    expect(view(g.fold([span("old", "o2"), span("old", "o3"), span("new", "n"), span("oldest", "q")]))).toEqual([
      ["old", "o2", null],
      ["old", OVERFLOW_NAME, null],
      [OVERFLOW_NAME, OVERFLOW_NAME, null],
      [OVERFLOW_NAME, OVERFLOW_NAME, null],
    ]);
  });

  it("seeded overflow rows (folded before a restart) take no slot", () => {
    const g = new CardinalityGuard(limits);
    g.seed([
      { service: OVERFLOW_NAME, environment: OVERFLOW_NAME, operations: [OVERFLOW_NAME] },
      { service: "old", environment: "prod", operations: ["o1", OVERFLOW_NAME] },
    ]);
    expect(view(g.fold([span("new", "n", "prod"), span("old", "o2"), span("newer", "n")]))).toEqual([
      ["new", "n", "prod"],
      ["old", "o2", null],
      [OVERFLOW_NAME, OVERFLOW_NAME, null],
    ]);
    expect(g.stats()).toMatchObject({ knownServices: 2, knownEnvironments: 1, knownOperations: 3 });
  });

  it("bounds the operations over all services", () => {
    const g = new CardinalityGuard({ ...limits, maxServices: 10, maxOperations: 3 });
    const out = g.fold([span("a", "1"), span("b", "1"), span("c", "1"), span("d", "1")]);
    expect(view(out).map((v) => v[1])).toEqual(["1", "1", "1", OVERFLOW_NAME]);
  });
});
