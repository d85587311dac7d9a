import { test as base, expect, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";

/** Base URL of the server global setup started. */
export function baseUrl(): string {
  const u = process.env.E2E_BASE_URL;
  if (!u) throw new Error("E2E_BASE_URL is not set: run through playwright.config.ts (global setup)");
  return u;
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${baseUrl()}${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Keeps a screenshot for the README (docs/screenshots/<name>.png). */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync("docs/screenshots", { recursive: true });
  await page.waitForTimeout(400); // let charts finish their first paint
  await page.screenshot({ path: `docs/screenshots/${name}.png` });
}

/** Every page fails the test on an uncaught error (React's #418 included), a console error or a JavaScript dialog (e.g. injected alert()). */
export const test = base.extend<{ guard: void }>({
  guard: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      // The app's own console errors (React's hydration and render warnings, failed effects);
      // the browser's "Failed to load resource" lines are answers the specs check themselves.
      page.on("console", (m) => {
        if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
          problems.push(`console.error: ${m.text()}`);
      });
      page.on("dialog", (d) => {
        problems.push(`dialog opened: ${d.message()}`);
        void d.dismiss();
      });
      await use();
      expect(problems).toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };
