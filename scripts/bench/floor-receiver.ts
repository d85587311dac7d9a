/**
 * The floor for the ingest benchmark: receive an OTLP/HTTP request, fully decode it with the
 * same protobuf codec, touch every span, answer 200, keep nothing. Prints its port.
 */
import http from "node:http";
import { TraceRequest } from "../../server/decode";

let spans = 0;
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const m = TraceRequest.decode(Buffer.concat(chunks));
    for (const rs of m.resourceSpans)
      for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) if (s.name) spans++;
    res.writeHead(200, { "content-type": "application/x-protobuf", "content-length": "0" });
    res.end();
  });
});
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: (server.address() as { port: number }).port })));
process.on("SIGTERM", () => {
  console.error(`floor received ${spans} spans`);
  process.exit(0);
});
