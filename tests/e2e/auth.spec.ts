import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "./support/fixtures";
import { startCartograph, type RunningServer } from "./support/start-server";

/**
 * The sign-in flow through Chromium against a server of its own with authentication on:
 * redirect to /login, a refused password, sign-in back to the page asked for, an API token
 * created on the Access page and used by a script, a viewer's narrower page, sign-out.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PASSWORD = "e2e admin password";
let server: RunningServer;

test.describe.configure({ mode: "serial" });
test.beforeAll(async () => {
  test.setTimeout(300_000);
  server = await startCartograph(root, { CARTOGRAPH_AUTH: "on", CARTOGRAPH_ADMIN_PASSWORD: PASSWORD });
});
test.afterAll(async () => server?.stop());

async function signIn(page: import("@playwright/test").Page, user: string, password: string) {
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("unauthenticated navigation goes to /login; signing in returns to the page asked for", async ({ page }) => {
  const cspViolations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto(`${server.baseUrl}/map?from=now-1h`);
  await expect(page).toHaveURL(/\/login\?next=%2Fmap%3Ffrom%3Dnow-1h$/);
  await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0);

  await signIn(page, "admin", "not the password");
  await expect(page.locator(".form-error")).toContainText("wrong user name or password");
  await expect(page).toHaveURL(/\/login/);

  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/map\?from=now-1h$/);
  await expect(page.getByTestId("signed-in-user")).toHaveText("admin");
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === "cartograph_session")).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  expect(cspViolations).toEqual([]);
});

test("an admin creates an API token that a script then uses, and a viewer sees only tokens", async ({ page }) => {
  await page.goto(`${server.baseUrl}/login?next=/access`);
  await signIn(page, "admin", PASSWORD);
  await expect(page).toHaveURL(/\/access$/);

  const tokens = page.getByRole("region", { name: "API tokens" });
  await tokens.getByLabel("Name").fill("e2e script");
  await tokens.getByRole("button", { name: "Create token" }).click();
  const secret = (await page.getByTestId("secret-once").locator("code").textContent())!;
  expect(secret).toMatch(/^cgt_/);
  await expect(page.locator('tr[data-token="e2e script"]')).toBeVisible();
  const withToken = await fetch(`${server.baseUrl}/api/v1/services`, {
    headers: { authorization: `Bearer ${secret}` },
  });
  expect(withToken.status).toBe(200);
  expect((await fetch(`${server.baseUrl}/api/v1/services`)).status).toBe(401);

  const users = page.getByRole("region", { name: "Users" });
  await users.getByLabel("User name").fill("viola");
  await users.getByLabel("Initial password (12+ characters)").fill("viola password 1");
  await users.getByRole("button", { name: "Add user" }).click();
  await expect(page.locator('tr[data-user="viola"]')).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(`${server.baseUrl}/`);
  await expect(page).toHaveURL(/\/login\?next=%2F$/);

  await signIn(page, "viola", "viola password 1");
  await expect(page.getByTestId("signed-in-user")).toHaveText("viola");
  await page.goto(`${server.baseUrl}/access`);
  await expect(page.getByRole("region", { name: "API tokens" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Users" })).toHaveCount(0);
  await expect(page.getByRole("region", { name: "Ingest keys" })).toHaveCount(0);
});
