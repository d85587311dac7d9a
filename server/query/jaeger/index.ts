import "server-only";
export {
  listJaegerServices,
  listJaegerOperations,
  searchJaegerTraces,
  getJaegerTrace,
  getJaegerDependencies,
  type JaegerTraceQuery,
} from "./jaeger-queries";
export {
  toJaegerTrace,
  kindName,
  JAEGER_SPAN_KINDS,
  type JaegerTrace,
  type JaegerSpan,
  type JaegerSpanKind,
  type JaegerKeyValue,
} from "./jaeger-model";
