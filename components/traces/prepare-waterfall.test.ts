import { describe, expect, it } from "vitest";
import type { TraceSpan } from "@/lib/api-types";
import { findSpanMatches, prepareWaterfall, selectVisibleRows } from "./prepare-waterfall";
import { prepareTraceScatter, toEpochMs } from "./prepare-trace-scatter";

const BASE = 1_764_072_000_000_000_000n;
function span(
  id: string,
  parent: string | null,
  service: string,
  startMs: number,
  endMs: number,
  name = `op-${id}`,
): TraceSpan {
  return {
    spanId: id,
    parentSpanId: parent,
    service,
    name,
    kind: "server",
    startTimeUnixNano: String(BASE + BigInt(startMs) * 1_000_000n),
    endTimeUnixNano: String(BASE + BigInt(endMs) * 1_000_000n),
    durationMs: endMs - startMs,
    status: { code: "unset" },
    attributes: {},
    resource: {},
    events: [],
    links: [],
  };
}

describe("prepareWaterfall", () => {
  // root 0..100 (frontend) -> a 5..40 (checkout) -> a1 10..30 ; root -> b 45..95 (checkout) ; orphan with a missing parent
  const spans = [
    span("b", "root", "checkout", 45, 95),
    span("a1", "a", "checkout", 10, 30),
    span("root", null, "frontend", 0, 100),
    span("a", "root", "checkout", 5, 40),
    span("orphan", "missing", "billing", 50, 60),
  ];

  it("orders depth first by start time and keeps orphans as roots", () => {
    const wf = prepareWaterfall(spans);
    expect(wf.rows.map((r) => `${r.span.spanId}:${r.depth}`)).toEqual(["root:0", "a:1", "a1:2", "b:1", "orphan:0"]);
    expect(wf.totalMs).toBe(100);
    expect(wf.rows[1]!.offsetMs).toBe(5);
  });

  it("marks the critical path (last-finishing children backwards)", () => {
    const wf = prepareWaterfall(spans);
    const critical = wf.rows.filter((r) => r.critical).map((r) => r.span.spanId);
    expect(critical).toEqual(["root", "a", "a1", "b"]);
  });

  it("links a cross-service span to its map edge", () => {
    const wf = prepareWaterfall(spans);
    expect(wf.rows.find((r) => r.span.spanId === "a")!.edgeId).toBe("service:frontend->service:checkout");
    expect(wf.rows.find((r) => r.span.spanId === "a1")!.edgeId).toBeNull();
  });

  it("hides the descendants of collapsed spans", () => {
    const wf = prepareWaterfall(spans);
    expect(selectVisibleRows(wf.rows, new Set(["a"])).map((r) => r.span.spanId)).toEqual(["root", "a", "b", "orphan"]);
    expect(selectVisibleRows(wf.rows, new Set(["root"])).map((r) => r.span.spanId)).toEqual(["root", "orphan"]);
  });

  it("survives a parent cycle in bad data", () => {
    const wf = prepareWaterfall([span("x", "y", "s", 0, 1), span("y", "x", "s", 0, 2)]);
    expect(wf.rows).toHaveLength(2);
  });
});

describe("prepareTraceScatter", () => {
  it("splits ok and error traces and reads both time encodings", () => {
    expect(toEpochMs("2026-11-25T12:00:00Z")).toBe(Date.UTC(2026, 10, 25, 12));
    const s = prepareTraceScatter([
      {
        traceId: "1",
        rootService: "a",
        rootOperation: "GET",
        startTime: 5,
        durationMs: 3,
        spanCount: 1,
        errorCount: 0,
        services: ["a"],
      },
      {
        traceId: "2",
        rootService: "a",
        rootOperation: "GET",
        startTime: 6,
        durationMs: 4,
        spanCount: 1,
        errorCount: 2,
        services: ["a"],
      },
    ]);
    expect(s.ok.map((p) => p.traceId)).toEqual(["1"]);
    expect(s.error[0]).toMatchObject({ t: 6, durationMs: 4 });
  });
});

describe("findSpanMatches and edge ids", () => {
  const root = { ...span("root", null, "frontend", 0, 100), resource: { "deployment.environment.name": "prod" } };
  const child = {
    ...span("c", "root", "checkout", 5, 40, "POST /pay"),
    attributes: { "order.id": "o-42" },
    resource: { "deployment.environment": "prod" },
  };
  const wf = prepareWaterfall([root, child]);

  it("matches every word in name, service or attribute values, case-insensitively", () => {
    expect([...findSpanMatches(wf.rows, "checkout O-42")]).toEqual(["c"]);
    expect([...findSpanMatches(wf.rows, "post")]).toEqual(["c"]);
    expect(findSpanMatches(wf.rows, "  ").size).toBe(0);
    expect(findSpanMatches(wf.rows, "nothing").size).toBe(0);
  });

  it("names the map edge with both services' environments", () => {
    expect(wf.rows.find((r) => r.span.spanId === "c")!.edgeId).toBe(
      "service:frontend?env=prod->service:checkout?env=prod",
    );
  });
});
