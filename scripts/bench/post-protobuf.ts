import http from "node:http";

/**
 * POSTs one OTLP/protobuf body over a keep-alive agent and resolves with the status code
 * (the body is drained), or null when the request failed (connection refused or reset).
 */
export function postProtobuf(target: URL, agent: http.Agent, body: Uint8Array): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        agent,
        headers: { "content-type": "application/x-protobuf", "content-length": body.length },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? null));
      },
    );
    req.on("error", () => resolve(null));
    req.end(body);
  });
}
