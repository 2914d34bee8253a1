import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCreatorPayoutAccount } from "../payouts/payout-settings.ts";
import { type RunningServer, serveFetch } from "../server/node-http.ts";
import { launchChromium } from "../testing/chromium.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { translator } from "./i18n.ts";
import { createPortal, type Portal } from "./index.ts";
import { createMemoryMailer } from "./mailer.ts";
import { ADA_EMAIL, seedPortalScenario } from "./portal-scenario.ts";

// A real Chromium against the portal on a loopback port: ask for a link, follow it from the captured mail, check
// the overview's figures against the database, read why a rejected and a partly refunded conversion earned what
// they did, copy a link, set a PayPal email; every page at desktop width and on a 390 px phone, which must not
// scroll sideways. Screenshots go to test-artifacts/portal-*.png.

const ARTIFACTS = resolve(import.meta.dirname, "../../../test-artifacts");

let database: TestDatabase;
let server: RunningServer;
let browser: Browser;
let portal: Portal;
let scenario: Awaited<ReturnType<typeof seedPortalScenario>>;
const mailer = createMemoryMailer();

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  database = await createTestDatabase();
  scenario = await seedPortalScenario(database.db);
  server = await serveFetch(
    (request, ctx) => portal.route(request, ctx) ?? Promise.resolve(new Response("not found", { status: 404 })),
    { port: 0, host: "127.0.0.1" },
  );
  portal = createPortal({ db: database.db, publicUrl: server.url, mailer });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await database?.destroy();
});

/** What the overview should say, computed from the commission rows themselves. */
async function expectedEarnings(creatorId: string) {
  const rows = await database.db.commission.findMany({ where: { creatorId } });
  const f = translator("en");
  const sum = (pick: (r: (typeof rows)[number]) => bigint) => rows.reduce((s, r) => s + Number(pick(r)), 0);
  const earning = rows.filter((r) => ["pending", "approved", "paid", "reversed"].includes(r.status));
  const currency = rows[0]!.currency;
  const of = (status: string) => sum((r) => (r.status === status ? r.amount : 0n));
  return {
    pending: f.money(of("pending"), currency),
    approved: f.money(of("approved"), currency),
    paid: f.money(of("paid"), currency),
    // Lost to refunds and cancellations: what each commission was before them, less what it is now.
    reversed: f.money(
      earning.reduce((s, r) => s + Number(r.original - r.amount), 0),
      currency,
    ),
  };
}

/** The page is laid out within the viewport: nothing makes the page itself scroll sideways. */
async function expectNoHorizontalScroll(page: Page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, page.url()).toBeLessThanOrEqual(clientWidth);
}

/** A title, one h1 first, no heading level skipped, and the nav marks the current page. */
async function expectWellFormed(page: Page, current: string | null) {
  expect(await page.title()).toMatch(/ · Trailmark$/);
  const levels = await page.evaluate(() =>
    [...document.querySelectorAll("h1,h2,h3,h4,h5,h6")].map((h) => Number(h.tagName[1])),
  );
  expect(levels[0]).toBe(1);
  expect(levels.filter((l) => l === 1)).toHaveLength(1);
  for (let i = 1; i < levels.length; i++) expect(levels[i]!, page.url()).toBeLessThanOrEqual(levels[i - 1]! + 1);
  if (current) expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe(current);
}

const PAGES: [string, string, string | null][] = [
  ["overview", "/portal", "Overview"],
  ["links", "/portal/links", "Links and codes"],
  ["conversions", "/portal/conversions", "Conversions"],
  ["payouts", "/portal/payouts", "Payouts"],
  ["settings", "/portal/settings", "Settings"],
];

describe("the creator portal in a browser", () => {
  it("signs in, shows the figures of the database, explains conversions, copies a link, fits a phone", async () => {
    const { db } = database;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      // The browser's own favicon request is not the portal's (this test server has nothing else).
      page.on("console", (m) => {
        if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico"))
          errors.push(`${m.location().url} ${m.text()}`);
      });
      await page.goto(`${server.url}/portal`);
      expect(new URL(page.url()).pathname).toBe("/portal/sign-in");
      await page.getByLabel("Email").fill(ADA_EMAIL);
      await page.screenshot({ path: resolve(ARTIFACTS, "portal-sign-in.png") });
      await page.getByRole("button", { name: "Send me a sign-in link" }).click();
      await expect.poll(() => page.locator("h1").textContent()).toBe("Check your email");
      expect(mailer.sent).toHaveLength(1);
      // The link opens a page with a button (mail scanners that follow it spend nothing); the button signs in.
      await page.goto(mailer.sent[0]!.url);
      expect((await context.cookies()).find((c) => c.name === "tm_portal")).toBeUndefined();
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${server.url}/portal`);
      const session = (await context.cookies()).find((c) => c.name === "tm_portal")!;
      expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/portal" });

      // The overview's figures, per store, are what the database holds.
      for (const [storeName, creator] of [
        ["Alpine Goods", scenario.ada[0]!],
        ["Berlin Boutique", scenario.ada[1]!],
      ] as const) {
        const section = page.locator("section.store", { has: page.getByRole("heading", { name: storeName }) });
        const expected = await expectedEarnings(creator.id);
        for (const [status, value] of Object.entries(expected))
          expect(await section.locator(`td[data-status="${status}"]`).textContent(), `${storeName} ${status}`).toBe(
            value,
          );
      }
      expect(await page.locator('section.store td[data-status="reversed"]').first().textContent()).toBe("12.00 USD");
      await expect.poll(() => page.locator("svg.chart").count()).toBeGreaterThanOrEqual(6);
      await page.getByRole("link", { name: "7 days" }).first().click();
      await page.waitForURL(`${server.url}/portal?range=7`);
      expect(await page.locator("svg.chart").first().locator("rect").count()).toBe(7);

      // A rejected conversion and a partly refunded one, each with its reason.
      await page.getByRole("link", { name: "Conversions" }).click();
      await page.getByLabel("Status").selectOption("rejected");
      await page.getByRole("button", { name: "Show" }).click();
      await page.waitForURL(/status=rejected/);
      await page.locator("#conversions tbody tr a").first().click();
      await expect
        .poll(() => page.locator("#reason").textContent())
        .toBe("The store marked this order as a test order.");
      expect(await page.locator("#rule").textContent()).toBe("Rule: test_order");
      await page.screenshot({ path: resolve(ARTIFACTS, "portal-conversion-rejected.png"), fullPage: true });
      await page.getByRole("link", { name: "All conversions" }).click();
      await page.getByLabel("Status").selectOption("reduced");
      await page.getByRole("button", { name: "Show" }).click();
      await page.waitForURL(/status=reduced/);
      await page.locator("#conversions tbody tr a").first().click();
      const refundDay = translator("en").date(scenario.refundedAt);
      await expect
        .poll(() => page.locator("#reason").textContent())
        .toBe(
          `The order was refunded on ${refundDay}: 20.00 USD of 45.00 USD returned, so your commission went from 4.50 USD to 2.50 USD.`,
        );
      await page.screenshot({ path: resolve(ARTIFACTS, "portal-conversion-refunded.png"), fullPage: true });

      // Copy a tracking link.
      await page.getByRole("link", { name: "Links and codes" }).click();
      const url = `${server.url}/c/${scenario.links.adaLinkA.code}`;
      await page.getByRole("button", { name: `Copy link ${url}` }).click();
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(url);
      const row = page.locator(`section.link[data-code="${scenario.links.adaLinkA.code}"] .copyrow`).first();
      await expect.poll(() => row.getByRole("status").textContent()).toBe("Copied");
      expect(await page.getByRole("img", { name: `QR code for ${url}` }).count()).toBe(1);

      // Every page, at desktop width and on a phone.
      for (const [width, height, suffix] of [
        [1280, 900, "desktop"],
        [390, 844, "390"],
      ] as const) {
        await page.setViewportSize({ width, height });
        for (const [name, path, current] of PAGES) {
          await page.goto(`${server.url}${path}`);
          await expectWellFormed(page, current);
          await expectNoHorizontalScroll(page);
          await page.screenshot({ path: resolve(ARTIFACTS, `portal-${name}-${suffix}.png`), fullPage: true });
        }
        await page.goto(`${server.url}/portal/conversions?status=reduced`);
        await page.locator("#conversions tbody tr a").first().click();
        await page.waitForURL(/\/portal\/conversions\/cm_/);
        await expectWellFormed(page, "Conversions");
        await expectNoHorizontalScroll(page);
        await page.screenshot({ path: resolve(ARTIFACTS, `portal-conversion-${suffix}.png`), fullPage: true });
      }

      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${server.url}/portal/settings`);
      const alpine = page.locator("section.store", { has: page.getByRole("heading", { name: "Alpine Goods" }) });
      await alpine.getByLabel("PayPal email").fill("ada.pay@example.com");
      await alpine.getByRole("button", { name: "Use PayPal" }).click();
      await expect.poll(() => page.getByRole("status").first().textContent()).toBe("Saved.");
      expect(await getCreatorPayoutAccount(db, scenario.alpine.id, scenario.ada[0]!.id)).toMatchObject({
        method: "paypal",
        paypalEmail: "ada.pay@example.com",
      });

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(`${server.url}/portal/sign-in`);
      await page.goto(`${server.url}/portal/payouts`);
      expect(new URL(page.url()).pathname).toBe("/portal/sign-in");
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
