import http from "node:http";

/**
 * POSTs one body over a keep-alive agent and resolves with the status code (the response body
 * is drained), or null when the request failed (connection refused or reset).
 */
export function postBody(
  target: URL,
  agent: http.Agent,
  body: Uint8Array,
  headers: Record<string, string>,
): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        agent,
        headers: { ...headers, "content-length": body.length },
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

/** postBody for one OTLP/protobuf body. */
export function postProtobuf(target: URL, agent: http.Agent, body: Uint8Array): Promise<number | null> {
  return postBody(target, agent, body, { "content-type": "application/x-protobuf" });
}
