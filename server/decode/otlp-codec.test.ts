import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { digestProtoFiles } from "../../scripts/build/proto-digest.mjs";
import { canonicalize } from "../../tests/fixtures/otlp/canonicalize";
import { LogsRequest, MetricsRequest, TraceRequest } from "./otlp-codec";

/**
 * The fixtures are requests sent by the real OpenTelemetry JS exporters (sdk-*) and messages
 * with every field set (full-*). Their expected objects were produced from the same bytes by
 * the codec this one replaced (the protobufjs static module of
 * @opentelemetry/otlp-transformer 0.52.1): same bytes in, same objects out. That codec
 * predates Span.flags and Span.Link.flags, so traces are compared without them and the
 * fields it did not know are tested on their own below.
 */
const DIR = path.resolve(import.meta.dirname, "../../tests/fixtures/otlp");
const TYPES = { traces: TraceRequest, metrics: MetricsRequest, logs: LogsRequest } as const;
const UNKNOWN_TO_PREVIOUS: Record<keyof typeof TYPES, Set<string>> = {
  traces: new Set(["flags"]),
  metrics: new Set(),
  logs: new Set(),
};
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith(".pb"))
  .map((f) => f.slice(0, -3));

describe("OTLP codec against the previous codec's objects", () => {
  it("has fixtures for every signal", () => {
    for (const signal of Object.keys(TYPES))
      expect(fixtures.filter((f) => f.includes(signal)).length).toBeGreaterThanOrEqual(2);
  });

  for (const name of fixtures) {
    const signal = name.split("-")[1] as keyof typeof TYPES;
    const Type = TYPES[signal];
    const bytes = readFileSync(path.join(DIR, `${name}.pb`));
    const expected = JSON.parse(readFileSync(path.join(DIR, `${name}.expected.json`), "utf8"));

    it(`${name}: decodes to the same objects`, () => {
      expect(canonicalize(Type.decode(bytes), UNKNOWN_TO_PREVIOUS[signal])).toEqual(expected);
    });

    it(`${name}: re-encodes to bytes that decode to the same objects`, () => {
      const again = Type.encode(Type.decode(bytes)).finish();
      expect(canonicalize(Type.decode(again), UNKNOWN_TO_PREVIOUS[signal])).toEqual(expected);
    });
  }
});

describe("OTLP codec generation", () => {
  it("was generated from the current proto/ files (else run npm run codec:generate)", () => {
    const firstLine = readFileSync(path.resolve(import.meta.dirname, "codec/otlp-codec.js"), "utf8").split("\n", 1)[0];
    expect(firstLine).toContain(`digest ${digestProtoFiles(path.resolve(import.meta.dirname, "../.."))}`);
  });
});

describe("OTLP codec: fields newer than the previous codec", () => {
  it("reads span and link flags as the SDK sends them (sampled, parent known to be local)", () => {
    const req = TraceRequest.decode(readFileSync(path.join(DIR, "sdk-traces-2.pb")));
    const spans = req.resourceSpans[0].scopeSpans![0].spans!;
    expect(spans.map((s) => s.flags)).toContain(0x101);
    expect(spans.flatMap((s) => s.links ?? []).map((l) => l.flags)).toEqual([0x101]);
  });

  it("round-trips a log record's event name and a resource's entity references", () => {
    const bytes = LogsRequest.encode(
      LogsRequest.fromObject({
        resourceLogs: [
          {
            resource: {
              entityRefs: [{ type: "service", idKeys: ["service.name"], descriptionKeys: ["service.version"] }],
            },
            scopeLogs: [{ logRecords: [{ eventName: "session.start", severityNumber: 9 }] }],
          },
        ],
      }),
    ).finish();
    const back = LogsRequest.decode(bytes).resourceLogs[0];
    expect(back.scopeLogs![0].logRecords![0].eventName).toBe("session.start");
    expect(back.resource!.entityRefs![0]).toMatchObject({ type: "service", idKeys: ["service.name"] });
  });
});
