import type { NextConfig } from "next";

/**
 * The UI is served by server/main.ts through Next's request handler (one port with the API),
 * so no `output: "export"` and no rewrites: the browser calls /api/v1/* on the same origin.
 */
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  serverExternalPackages: ["better-sqlite3"],
  typescript: { tsconfigPath: "tsconfig.json" },
};

export default nextConfig;
