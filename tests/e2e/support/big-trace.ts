/**
 * One trace of `spans` spans for the huge-trace spec and the UI bench, sent as OTLP/JSON in
 * batches of 2,500 (each POST stays far under the body limit; an SDK's batch processor would
 * drop what exceeds its queue). Shape: a root "run batch" with steps under it; every 100th step
 * has a child, so collapsing a step hides something, and step 7777 is "needle step" for search.
 */
export async function sendBigTrace(otlpTracesUrl: string, spans: number, service = "batch-job"): Promise<string> {
  const traceId = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
  const t0 = (BigInt(Date.now()) - 60_000n) * 1_000_000n;
  const ms = (n: number) => String(t0 + BigInt(n) * 1_000_000n);
  const id = (n: number) => (n + 1).toString(16).padStart(16, "0");
  const all = Array.from({ length: spans }, (_, i) => {
    if (i === 0)
      return {
        traceId,
        spanId: id(0),
        name: "run batch",
        kind: 2,
        startTimeUnixNano: ms(0),
        endTimeUnixNano: ms(spans + 10),
      };
    const nested = i % 100 === 1 && i > 1; // the child of the step before it
    return {
      traceId,
      spanId: id(i),
      parentSpanId: nested ? id(i - 1) : id(0),
      name: i === 7777 ? "needle step" : nested ? `detail of step ${i - 1}` : `step ${i}`,
      kind: 1,
      startTimeUnixNano: ms(i),
      endTimeUnixNano: ms(i + 2),
      attributes: [{ key: "item.id", value: { stringValue: `item-${i}` } }],
    };
  });
  for (let at = 0; at < all.length; at += 2500) {
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: "service.name", value: { stringValue: service } },
              { key: "deployment.environment.name", value: { stringValue: "prod" } },
            ],
          },
          scopeSpans: [{ spans: all.slice(at, at + 2500) }],
        },
      ],
    });
    const res = await fetch(otlpTracesUrl, { method: "POST", body, headers: { "content-type": "application/json" } });
    if (res.status !== 200) throw new Error(`OTLP export of the big trace: HTTP ${res.status} ${await res.text()}`);
  }
  return traceId;
}
