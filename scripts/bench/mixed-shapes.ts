/**
 * A small OTLP/JSON request with the span shapes every real fleet sends and the bench's
 * generated fleet (make-batches.ts) lacks: a service without an environment, INTERNAL spans
 * under a parentless SERVER root, parentless INTERNAL roots (a background job). The writer's
 * hot functions are compiled for the shapes they have seen; the first span of a new shape
 * deoptimizes them (e.g. the service graph's span classifier on its first INTERNAL span), and
 * recompiled for more shapes they may run slower (about 3 % in a self-tracing bench A/A run where
 * only one server got them, at the edge of its noise). Benches that compare two servers send this to both before
 * measuring, so a difference is not one server having seen a shape the other has not.
 */

import { randomBytes } from "node:crypto";

/** The service of these spans (not a fleet span: benches leave it out of their counts). */
export const MIXED_SHAPES_SERVICE = "bench-mixed-shapes";

const hex = (chars: number) => randomBytes(chars / 2).toString("hex");
const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });

function body(traces: number): unknown {
  const now = BigInt(Date.now()) * 1_000_000n;
  const at = (ms: number) => String(now + BigInt(ms) * 1_000_000n);
  const spans: unknown[] = [];
  for (let t = 0; t < traces; t++) {
    const traceId = hex(32);
    const root = hex(16);
    spans.push({
      traceId,
      spanId: root,
      name: "POST /jobs",
      kind: 2,
      startTimeUnixNano: at(0),
      endTimeUnixNano: at(4),
      attributes: [
        str("http.request.method", "POST"),
        str("http.route", "/jobs"),
        int("http.response.status_code", 200),
      ],
      status: {},
    });
    for (const [i, name] of ["read", "decode", "store", "reply"].entries())
      spans.push({
        traceId,
        spanId: hex(16),
        parentSpanId: root,
        name,
        kind: 1,
        startTimeUnixNano: at(i),
        endTimeUnixNano: at(i + 1),
        attributes: [int("job.items", 512)],
        status: {},
      });
    spans.push({
      traceId: hex(32),
      spanId: hex(16),
      name: "cleanup",
      kind: 1,
      startTimeUnixNano: at(0),
      endTimeUnixNano: at(1),
      attributes: [],
      status: {},
    });
  }
  return {
    resourceSpans: [
      {
        resource: { attributes: [str("service.name", MIXED_SHAPES_SERVICE)] },
        scopeSpans: [{ scope: { name: "bench" }, spans }],
      },
    ],
  };
}

/** Posts the mixed shapes to an OTLP/HTTP traces URL; throws unless they are accepted. */
export async function postMixedShapes(tracesUrl: string, traces = 20): Promise<void> {
  const res = await fetch(tracesUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body(traces)),
  });
  if (res.status !== 200) throw new Error(`mixed-shape spans: ${tracesUrl} answered ${res.status}`);
}
