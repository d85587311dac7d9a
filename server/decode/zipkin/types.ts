import "server-only";

/**
 * One Zipkin v2 span as both wire formats decode to it (zipkin-api's `Span` model). Ids are
 * lowercase hex exactly as sent (padding happens in normalize); times are microseconds since
 * the epoch as bigint, absent when the reporter left them out (Zipkin allows that).
 */
export type ZipkinKind = "CLIENT" | "SERVER" | "PRODUCER" | "CONSUMER";

export interface ZipkinEndpoint {
  serviceName: string | null;
  ipv4: string | null;
  ipv6: string | null;
  port: number | null;
}

export interface ZipkinAnnotation {
  timestampUs: bigint;
  value: string;
}

export interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId: string | null;
  kind: ZipkinKind | null;
  name: string;
  timestampUs: bigint | null;
  durationUs: bigint | null;
  localEndpoint: ZipkinEndpoint | null;
  remoteEndpoint: ZipkinEndpoint | null;
  annotations: ZipkinAnnotation[];
  tags: Record<string, string>;
  debug: boolean;
  shared: boolean;
}
