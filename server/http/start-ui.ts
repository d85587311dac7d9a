import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { existsSync } from "node:fs";
import path from "node:path";

/** Starts Next.js in this process (production build in .next) and returns its handler. */
export async function startUi(
  dir: string,
  hostname: string,
  port: number,
): Promise<(req: IncomingMessage, res: ServerResponse) => Promise<void>> {
  if (!existsSync(path.join(dir, ".next", "BUILD_ID"))) {
    throw new Error(
      `the UI is not built (no .next/BUILD_ID in ${dir}): run \`npm run build\`, or set CARTOGRAPH_UI=false for API and OTLP only`,
    );
  }
  const { default: next } = await import("next");
  const app = next({ dev: false, dir, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  return async (req, res) => {
    await handle(req, res);
  };
}
