import http from "node:http";
import type { AddressInfo } from "node:net";
import { baseUrl, expect, getJson, test } from "./support/fixtures";

/**
 * Through Chromium, against the shared server (authentication off on loopback): every page
 * renders under the Content-Security-Policy with no violation, and a page on another origin
 * cannot change data with a form post or a no-cors fetch.
 */
const PAGES = [
  "/",
  "/map",
  "/traces",
  "/logs",
  "/metrics-explorer",
  "/findings",
  "/findings/policy",
  "/alerts",
  "/services/checkout",
  "/access",
];

test("every page renders under the CSP with no violation in the console", async ({ page }) => {
  test.setTimeout(240_000);
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect)/i.test(m.text()))
      violations.push(`${page.url()}: ${m.text()}`);
  });
  await page.exposeFunction("reportCspViolation", (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      (window as unknown as { reportCspViolation(v: string): void }).reportCspViolation(
        `${e.violatedDirective} ${e.blockedURI}`,
      ),
    );
  });
  for (const path of PAGES) {
    const res = await page.goto(`${baseUrl()}${path}`);
    const csp = res!.headers()["content-security-policy"] ?? "";
    expect(csp, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res!.headers()["x-content-type-options"]).toBe("nosniff");
    // Rendered and hydrated: the navigation is there and client code ran (links are interactive).
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await expect(page.locator("main.page")).not.toBeEmpty();
    await page.waitForTimeout(500); // late chunks and workers (the map's layout worker) load now
  }
  // The rule editor lists the contract's enumerations (rule types, signals, severities).
  await page.goto(`${baseUrl()}/alerts`);
  await page.getByTestId("new-rule").click();
  await expect(page.getByTestId("rule-type").locator("option")).toHaveCount(8);
  await page.getByRole("link", { name: "Service map" }).click();
  await expect(page).toHaveURL(/\/map/);
  expect(violations).toEqual([]);
});

/** A page on another origin (its own port) that posts to the API the moment it loads. */
function serveAttackPage(html: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(html);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      resolve({ url: `http://localhost:${port}/`, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

test("a foreign-origin form post or fetch cannot create a rule or a channel", async ({ page }) => {
  const api = baseUrl();
  const rule = JSON.stringify({
    type: "service",
    name: "forged-rule",
    service: "checkout",
    signal: "error_rate",
    op: ">",
    threshold: 0.5,
  });
  // The classic text/plain trick: the field name carries the JSON, the value closes it.
  const name = rule.slice(0, -1) + ',"x":"';
  const attack = await serveAttackPage(`<!doctype html><html><body>
    <form id="f" method="POST" action="${api}/api/v1/alert-rules" enctype="text/plain"><input name='${name}' value='"}'></form>
    <script>
      fetch(${JSON.stringify(api + "/api/v1/notification-channels")}, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" },
        body: JSON.stringify({ type: "webhook", name: "forged-channel", settings: { url: "http://evil.example/hook" } }) })
        .finally(() => document.getElementById("f").submit());
    </script></body></html>`);
  try {
    const refused = page.waitForResponse(
      (r) => r.url().endsWith("/api/v1/alert-rules") && r.request().method() === "POST",
    );
    await page.goto(attack.url);
    expect((await refused).status()).toBe(403);
    await expect(page.locator("body")).toContainText(/json-required|cross-/);
  } finally {
    await attack.close();
  }
  const rules = await getJson<{ rules: Array<{ name: string }> }>("/api/v1/alert-rules");
  expect(rules.rules.map((r) => r.name)).not.toContain("forged-rule");
  const channels = await getJson<{ channels: Array<{ name: string }> }>("/api/v1/notification-channels");
  expect(channels.channels.map((c) => c.name)).not.toContain("forged-channel");
});
