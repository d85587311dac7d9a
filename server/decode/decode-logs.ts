import "server-only";
import { DecodeError, describeZod, parseJson, type Encoding, type OtlpObject } from "./decode-request";
import { LogsRequestJson } from "./otlp-json-logs";
import { LogsRequest } from "./otlp-codec";

/** ExportLogsServiceRequest in either encoding → the one OTLP object shape (see decode-request.ts). */
export function decodeLogsRequest(body: Uint8Array, encoding: Encoding): OtlpObject {
  if (encoding === "protobuf") {
    try {
      return LogsRequest.decode(body);
    } catch (e) {
      throw new DecodeError(`ExportLogsServiceRequest: malformed protobuf: ${(e as Error).message}`);
    }
  }
  const parsed = LogsRequestJson.safeParse(parseJson(body, "ExportLogsServiceRequest"));
  if (!parsed.success) throw new DecodeError(`ExportLogsServiceRequest: ${describeZod(parsed.error.issues)}`);
  return parsed.data;
}
