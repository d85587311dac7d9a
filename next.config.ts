import type { NextConfig } from "next";

/**
 * The UI is served by server/main.ts through Next's request handler (one port with the API),
 * so no `output: "export"` and no rewrites: the browser calls /api/v1/* on the same origin.
 */
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  serverExternalPackages: ["better-sqlite3"],
  // The UI build type-checks the UI only (server, scripts and tests have `npm run typecheck`).
  typescript: { tsconfigPath: "tsconfig.next.json" },
};

export default nextConfig;
