import "server-only";
import http from "node:http";
import type { Handler } from "./create-app-handler";

/** Listens or rejects with a message that names the port (e.g. already in use). */
export function listen(handler: Handler, host: string, port: number, what: string): Promise<http.Server> {
  const server = http.createServer(
    { keepAliveTimeout: 65_000, requestTimeout: 120_000 },
    (req, res) => void handler(req, res),
  );
  return new Promise((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      reject(
        new Error(
          e.code === "EADDRINUSE"
            ? `${what} port ${port} on ${host} is already in use`
            : `${what} could not listen on ${host}:${port}: ${e.message}`,
        ),
      );
    });
    server.listen(port, host, () => resolve(server));
  });
}

export function addressOf(server: http.Server): string {
  const a = server.address();
  if (a && typeof a === "object") return `http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`;
  return String(a);
}
