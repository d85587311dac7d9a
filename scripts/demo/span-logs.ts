// Demo services write log lines the way an app's request logger does: an access line per
// request served, a warning when it was slow, an error with a stack trace when it failed, all
// stamped with the request's trace context and exported through the real OTel logs SDK.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { SeverityNumber, type Logger } from "@opentelemetry/api-logs";
import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base";

const SLOW_MS = 300;

function stackOf(span: ReadableSpan, service: string): string {
  const ex = span.events.find((e) => e.name === "exception");
  const recorded = ex?.attributes?.["exception.stacktrace"];
  if (typeof recorded === "string" && recorded) return recorded;
  const message = span.status.message || `${span.name} failed`;
  return [
    `Error: ${message}`,
    `    at handle (/srv/${service}/src/handlers.ts:${40 + (span.name.length % 30)}:11)`,
    `    at Server.route (/srv/${service}/src/router.ts:88:7)`,
    `    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`,
  ].join("\n");
}

/**
 * A span processor that logs each SERVER/CONSUMER span's outcome when it ends. Once the tracer
 * provider shuts down it logs nothing more: a request still in flight then ends after the span
 * exporter has stopped, and its log line would point at a span that is never exported.
 */
export function createRequestLogProcessor(logger: Logger, service: string): SpanProcessor {
  let stopped = false;
  return {
    onStart() {},
    onEnd(span: ReadableSpan) {
      if (stopped || (span.kind !== SpanKind.SERVER && span.kind !== SpanKind.CONSUMER)) return;
      const ms = span.duration[0] * 1000 + span.duration[1] / 1e6;
      const context = trace.setSpanContext(ROOT_CONTEXT, span.spanContext());
      const status = span.attributes["http.response.status_code"] ?? span.attributes["rpc.grpc.status_code"] ?? "";
      const attributes = {
        "code.function": span.name,
        "duration.ms": Math.round(ms),
        ...(status !== "" ? { "response.status": String(status) } : {}),
      };
      if (span.status.code === SpanStatusCode.ERROR) {
        logger.emit({
          context,
          severityNumber: SeverityNumber.ERROR,
          severityText: "ERROR",
          body: stackOf(span, service),
          attributes: { ...attributes, "exception.type": "Error" },
        });
        return;
      }
      if (ms > SLOW_MS) {
        logger.emit({
          context,
          severityNumber: SeverityNumber.WARN,
          severityText: "WARN",
          body: `slow request ${span.name} took ${Math.round(ms)} ms (over ${SLOW_MS} ms)`,
          attributes,
        });
        return;
      }
      logger.emit({
        context,
        severityNumber: SeverityNumber.INFO,
        severityText: "INFO",
        body: `${span.name} ${status} in ${Math.round(ms)} ms`.replace(/\s+/g, " "),
        attributes,
      });
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => {
      stopped = true;
      return Promise.resolve();
    },
  };
}
