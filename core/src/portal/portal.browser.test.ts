import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCreatorPayoutAccount } from "../payouts/payout-settings.ts";
import { type RunningServer, serveFetch } from "../server/node-http.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { insertClick, seedProgram } from "../testing/fixtures.ts";
import { createPortal, type Portal } from "./index.ts";
import { createMemoryMailer } from "./mailer.ts";
import { insertCommission } from "./portal-test-kit.ts";

// A real Chromium against the portal on a loopback port: ask for a link, follow it from the captured mail, see
// the links and earnings, set a PayPal email. Screenshots go to test-artifacts/portal-*.png.

const ARTIFACTS = resolve(import.meta.dirname, "../../../test-artifacts");

let database: TestDatabase;
let server: RunningServer;
let browser: Browser;
let portal: Portal;
const mailer = createMemoryMailer();

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  database = await createTestDatabase();
  server = await serveFetch(
    (request, ctx) => portal.route(request, ctx) ?? Promise.resolve(new Response("not found", { status: 404 })),
    { port: 0, host: "127.0.0.1" },
  );
  portal = createPortal({ db: database.db, publicUrl: server.url, mailer });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-quic",
      "--no-first-run",
      "--disable-sync",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await database?.destroy();
});

describe("the creator portal in a browser", () => {
  it("signs in by emailed link, shows links and earnings, and saves a PayPal email", async () => {
    const { db } = database;
    const program = await seedProgram(db, {
      creators: [
        { name: "Ada <b>Lovelace</b>", email: "ada@example.com" },
        { name: "Ben", email: "ben@example.com" },
      ],
    });
    const [adaLink] = program.links;
    await insertClick(db, adaLink!, new Date());
    await insertClick(db, adaLink!, new Date());
    await insertCommission(db, adaLink!, "pending", 1250);
    await insertCommission(db, adaLink!, "approved", 800);

    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/portal`);
      expect(new URL(page.url()).pathname).toBe("/portal/sign-in");
      await page.getByLabel("Email").fill("ada@example.com");
      await page.screenshot({ path: resolve(ARTIFACTS, "portal-sign-in.png") });
      await page.getByRole("button", { name: "Send me a sign-in link" }).click();
      await expect.poll(() => page.locator("h1").textContent()).toBe("Check your email");
      await page.screenshot({ path: resolve(ARTIFACTS, "portal-check-email.png") });

      expect(mailer.sent).toHaveLength(1);
      // The link opens a page with a button (mail scanners that follow it spend nothing); the button signs in.
      await page.goto(mailer.sent[0]!.url);
      expect(new URL(page.url()).pathname).toBe("/portal/auth");
      expect((await context.cookies()).find((c) => c.name === "tm_portal")).toBeUndefined();
      await page.screenshot({ path: resolve(ARTIFACTS, "portal-confirm-sign-in.png") });
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${server.url}/portal`);
      expect(new URL(page.url()).pathname).toBe("/portal");
      const session = (await context.cookies()).find((c) => c.name === "tm_portal")!;
      expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/portal" });
      const links = page.locator("#links");
      await expect.poll(() => links.textContent()).toContain(`${server.url}/c/${adaLink!.code}`);
      expect(await links.textContent()).not.toContain(program.links[1]!.code);
      const row = links.locator("tbody tr").first();
      expect(await row.locator("td").nth(3).textContent()).toBe("2");
      expect(await row.locator('td[data-status="pending"]').textContent()).toBe("12.50 USD");
      expect(await row.locator('td[data-status="approved"]').textContent()).toBe("8.00 USD");
      await page.screenshot({ path: resolve(ARTIFACTS, "portal-overview.png"), fullPage: true });

      await page.getByRole("link", { name: "Payout method" }).click();
      await page.getByLabel("PayPal email").fill("ada.pay@example.com");
      await page.getByRole("button", { name: "Use PayPal" }).click();
      await expect.poll(() => page.getByRole("status").textContent()).toBe("Saved.");
      expect(await page.locator("section.store").textContent()).toContain("PayPal: ada.pay@example.com");
      await page.screenshot({ path: resolve(ARTIFACTS, "portal-payout-method.png"), fullPage: true });
      expect(await getCreatorPayoutAccount(db, program.store.id, program.creators[0]!.id)).toMatchObject({
        method: "paypal",
        paypalEmail: "ada.pay@example.com",
      });

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(`${server.url}/portal/sign-in`);
      await page.goto(`${server.url}/portal/payouts`);
      expect(new URL(page.url()).pathname).toBe("/portal/sign-in");
    } finally {
      await context.close();
    }
  });
});
