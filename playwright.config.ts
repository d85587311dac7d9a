import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests against the real process: global setup builds the UI when needed
 * (CARTOGRAPH_E2E_REBUILD=1 forces it), starts server/main.ts on free ports with a temp data
 * dir, and sends traffic through the real OTel exporters. Chromium comes from Debian
 * (/usr/bin/chromium); never `npx playwright install` (it downloads a browser).
 */
export default defineConfig({
  testDir: "tests/e2e",
  testMatch: "*.spec.ts",
  globalSetup: "./tests/e2e/support/global-setup.ts",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: 1,
  fullyParallel: false,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    viewport: { width: 1440, height: 900 },
    colorScheme: "dark",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    },
  },
});
