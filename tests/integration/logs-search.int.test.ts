import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startServer, type RunningServer } from "../helpers/start-server";
import { createLogExporter, createServiceLogger, SeverityNumber } from "../helpers/otel-logs-sender";

/**
 * A fixed set of lines goes in through the real protobuf exporter; each search must return
 * exactly the lines a plain reference matcher picks from the same set, newest first.
 */
let server: RunningServer;
const SERVICES = ["cart", "billing", "search"];
const WORDS = ["timeout", "payment", "declined", "user", "retry", "cache", "miss", "Ångström", "order-17", "db"];
const SEVERITIES = [
  SeverityNumber.DEBUG,
  SeverityNumber.INFO,
  SeverityNumber.INFO2,
  SeverityNumber.WARN,
  SeverityNumber.ERROR,
  SeverityNumber.FATAL,
];
const REGIONS = ["eu", "us"];

interface Line {
  n: number;
  service: string;
  severity: number;
  body: string;
  region: string;
  tenant: string;
  timeMs: number;
}
const lines: Line[] = [];
const base = Date.now() - 10 * 60_000;
for (let n = 0; n < 90; n++) {
  const words = [WORDS[n % WORDS.length]!, WORDS[(n * 7 + 3) % WORDS.length]!, `#${n}`];
  lines.push({
    n,
    service: SERVICES[n % 3]!,
    severity: SEVERITIES[(n * 5) % SEVERITIES.length]!,
    body: n % 11 === 0 ? `${words.join(" ")}\n  at frame (file.js:${n}:1)` : words.join(" "),
    region: REGIONS[Math.floor(n / 4) % 2]!,
    tenant: `t${n % 5}`,
    timeMs: base + n * 5000,
  });
}

/** Reference matcher: every term is a whole token (case- and accent-insensitive). */
const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
const tokens = (s: string) =>
  new Set(
    fold(s)
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean),
  );
function expected(f: { q?: string; service?: string; min?: number; attrs?: [string, string][] }): number[] {
  return lines
    .filter((l) => !f.service || l.service === f.service)
    .filter((l) => !f.min || l.severity >= f.min)
    .filter(
      (l) =>
        !f.q ||
        fold(f.q)
          .split(/\s+/)
          .every((t) => [...tokens(t)].every((x) => tokens(l.body).has(x))),
    )
    .filter((l) =>
      (f.attrs ?? []).every(
        ([k, v]) =>
          (k === "region" ? l.region : k === "tenant" ? l.tenant : k === "service.name" ? l.service : undefined) === v,
      ),
    )
    .sort((a, b) => b.timeMs - a.timeMs)
    .map((l) => l.n);
}

beforeAll(async () => {
  server = await startServer();
  for (const service of SERVICES) {
    const logger = createServiceLogger(service, createLogExporter("http/protobuf", server));
    for (const l of lines.filter((x) => x.service === service)) {
      logger.emit({
        body: l.body,
        severity: l.severity,
        attributes: { n: l.n, region: l.region, tenant: l.tenant },
        timeMs: l.timeMs,
      });
    }
    await logger.flush();
    await logger.shutdown();
  }
  await eventually(
    () => server.get(`/api/v1/logs?from=${base - 1000}&limit=1000`).then((r) => r.logs.length === lines.length),
    15_000,
    "all lines stored",
  );
});
afterAll(async () => {
  await server?.stop();
});

async function search(params: Record<string, string | string[]>): Promise<number[]> {
  const qs = new URLSearchParams({ from: String(base - 1000), limit: "1000" });
  for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) qs.append(k, x);
  const r = await server.get(`/api/v1/logs?${qs}`);
  return r.logs.map((l: any) => l.attributes.n);
}

describe("log search returns exactly the matching lines", () => {
  const cases: [string, Record<string, string | string[]>, Parameters<typeof expected>[0]][] = [
    ["one word", { q: "timeout" }, { q: "timeout" }],
    ["two words (AND)", { q: "timeout payment" }, { q: "timeout payment" }],
    ["case and accents fold", { q: "ANGSTROM" }, { q: "ångström" }],
    ["hyphenated token", { q: "order-17" }, { q: "order-17" }],
    ["a stack-trace line", { q: "frame" }, { q: "frame" }],
    ["severity by name", { minSeverity: "warn" }, { min: 13 }],
    ["severity by number", { minSeverity: "10" }, { min: 10 }],
    ["service + severity", { service: "billing", minSeverity: "error" }, { service: "billing", min: 17 }],
    ["text + severity", { q: "cache", minSeverity: "info" }, { q: "cache", min: 9 }],
    ["one attribute", { attr: "region=eu" }, { attrs: [["region", "eu"]] }],
    [
      "two attributes",
      { attr: ["region=us", "tenant=t3"] },
      {
        attrs: [
          ["region", "us"],
          ["tenant", "t3"],
        ],
      },
    ],
    [
      "resource attribute",
      { attr: "service.name=search", q: "retry" },
      { q: "retry", attrs: [["service.name", "search"]] },
    ],
    [
      "everything at once",
      { q: "user", service: "cart", minSeverity: "debug", attr: "region=eu" },
      { q: "user", service: "cart", min: 5, attrs: [["region", "eu"]] },
    ],
    ["no match", { q: "nonexistentword" }, { q: "nonexistentword" }],
  ];
  it.each(cases)("%s", async (_name, params, ref) => {
    const want = expected(ref);
    if (_name !== "no match") expect(want.length).toBeGreaterThan(0);
    expect(await search(params)).toEqual(want);
  });

  it("a prefix finds every token that starts with it", async () => {
    expect(await search({ q: "time*" })).toEqual(expected({ q: "timeout" }));
  });

  it("pages with the cursor cover the result once, in order", async () => {
    const all = expected({ minSeverity: undefined } as never);
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 50; i++) {
      const qs = new URLSearchParams({ from: String(base - 1000), limit: "7" });
      if (cursor) qs.set("cursor", cursor);
      const r = await server.get(`/api/v1/logs?${qs}`);
      seen.push(...r.logs.map((l: any) => l.attributes.n));
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(all);
  });

  it("the histogram counts the same lines per step and severity", async () => {
    const from = Math.floor(base / 60_000) * 60_000;
    const to = from + 10 * 60_000;
    const h = await server.get(`/api/v1/logs/histogram?from=${from}&to=${to}&step=60`);
    expect(h.buckets).toHaveLength(10);
    expect(h.approximate).toBe(false);
    const errors = h.buckets.reduce((s: number, b: any) => s + b.counts.error, 0);
    expect(errors).toBe(lines.filter((l) => l.severity >= 17 && l.severity <= 20 && l.timeMs < to).length);
    expect(h.buckets.reduce((s: number, b: any) => s + b.total, 0)).toBe(lines.filter((l) => l.timeMs < to).length);
    // Filtered (raw path) and unfiltered (minute counts) agree.
    const filtered = await server.get(`/api/v1/logs/histogram?from=${from}&to=${to}&step=60&q=payment`);
    expect(filtered.approximate).toBe(false);
    expect(filtered.buckets.reduce((s: number, b: any) => s + b.total, 0)).toBe(
      lines.filter((l) => l.timeMs < to && tokens(l.body).has("payment")).length,
    );
    const first = h.buckets[0];
    expect(first.t).toBe(from);
    expect(first.total).toBe(lines.filter((l) => l.timeMs >= from && l.timeMs < from + 60_000).length);
  });
});
