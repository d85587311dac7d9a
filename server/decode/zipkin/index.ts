import "server-only";
export { decodeZipkinSpans, describeSpan } from "./decode-zipkin";
export { ListOfSpans } from "./zipkin-proto";
export type { ZipkinSpan, ZipkinEndpoint, ZipkinAnnotation, ZipkinKind } from "./types";
