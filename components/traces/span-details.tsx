"use client";
import { serviceNodeId } from "@/lib/node-id";
import { environmentOfSpan } from "./prepare-waterfall";
import Link from "next/link";
import type { Attributes, TraceSpan } from "@/lib/api-types";
import { formatAttributeValue, formatMs } from "@/lib/format";
import { useRangeQuery } from "../ui/use-time-range";

function AttributeList({ attrs, testId }: { attrs: Attributes | undefined; testId?: string }) {
  const keys = Object.keys(attrs ?? {}).sort();
  if (keys.length === 0) return <p className="muted">None.</p>;
  return (
    <dl className="kv" data-testid={testId}>
      {keys.map((k) => (
        <div key={k} style={{ display: "contents" }}>
          <dt className="mono">{k}</dt>
          <dd className="mono">{formatAttributeValue(attrs![k])}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Everything about one span: attributes, events, links, resource; plus links to its service and map edge. */
export function SpanDetails({
  span,
  edgeId,
  traceStartNs,
}: {
  span: TraceSpan;
  edgeId: string | null;
  traceStartNs: bigint;
}) {
  const rangeQuery = useRangeQuery();
  const focus = encodeURIComponent(serviceNodeId(span.service, environmentOfSpan(span)));
  const mapHref = edgeId
    ? `/map?focus=${focus}&depth=1&edge=${encodeURIComponent(edgeId)}&${rangeQuery}`
    : `/map?focus=${focus}&depth=1&node=${focus}&${rangeQuery}`;
  const eventOffset = (t?: string) => {
    if (!t) return "";
    try {
      return `+${formatMs(Number(BigInt(t) - traceStartNs) / 1e6)}`;
    } catch {
      return "";
    }
  };
  return (
    <section className="panel span-details" data-testid="span-details">
      <h2>{span.name}</h2>
      <div className="row">
        <span className="badge">{span.kind}</span>
        <span className={span.status?.code === "error" ? "badge error" : "badge"}>
          status: {span.status?.code ?? "unset"}
        </span>
        <span className="badge">{formatMs(span.durationMs)}</span>
        <Link href={`/services/${encodeURIComponent(span.service)}?${rangeQuery}`}>Service: {span.service}</Link>
        <Link href={mapHref}>{edgeId ? "Edge on the map" : "Service on the map"}</Link>
      </div>
      {span.status?.message && <p className="error-box">{span.status.message}</p>}
      <p className="muted mono">
        span {span.spanId}
        {span.parentSpanId ? ` · parent ${span.parentSpanId}` : ""}
      </p>
      <section>
        <h3>Attributes</h3>
        <AttributeList attrs={span.attributes} testId="span-attributes" />
      </section>
      <section>
        <h3>Events ({span.events?.length ?? 0})</h3>
        {(span.events ?? []).map((e, i) => (
          <div key={i} className="panel">
            <strong>{e.name}</strong> <span className="muted">{eventOffset(e.timeUnixNano)}</span>
            <AttributeList attrs={e.attributes} />
          </div>
        ))}
      </section>
      <section>
        <h3>Links ({span.links?.length ?? 0})</h3>
        {(span.links ?? []).map((l, i) => (
          <div key={i} className="panel">
            <Link href={`/traces/${encodeURIComponent(l.traceId)}?${rangeQuery}`} className="mono">
              trace {l.traceId} · span {l.spanId}
            </Link>
            <AttributeList attrs={l.attributes} />
          </div>
        ))}
      </section>
      <section>
        <h3>Resource</h3>
        <AttributeList attrs={span.resource} testId="span-resource" />
      </section>
    </section>
  );
}
