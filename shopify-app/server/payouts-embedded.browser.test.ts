import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { AdminProgram } from "@trailmark/core/admin";
import { approveDueCommissions } from "@trailmark/core/conversions";
import type { Db } from "@trailmark/core/db";
import { launchChromium } from "@trailmark/core/testing";
import { createShopifyAdminFake, shopifyAdminHandlers } from "@trailmark/shopify/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedApp, seedShopifyProgram, startEmbeddedApp } from "./testing/embedded-app.ts";

// The embedded Payouts page in headless Chromium. The Shopify admin is not here, so the test plays its part:
// the document is opened with a session token as id_token (as the admin's iframe URL carries it) and every
// request the page makes gets a fresh session token as a Bearer header, signed with the app's secret as App
// Bridge's fetch adds it. App Bridge's own script (Shopify's CDN) is not loaded.

const SECRET = "test-api-secret-payouts-browser";
const API_KEY = "test-api-key-payouts-browser";
const SHOP = "pay-browser";
const ARTIFACTS = resolve(import.meta.dirname, "../../test-artifacts/payouts");

let app: EmbeddedApp;
let db: Db;
let browser: Browser;
let page: Page;
let program: AdminProgram;
const pageErrors: string[] = [];

beforeAll(async () => {
  app = await startEmbeddedApp({
    apiKey: API_KEY,
    secret: SECRET,
    handlers: shopifyAdminHandlers(createShopifyAdminFake()),
  });
  ({ db } = app);
  program = await seedShopifyProgram(db, SHOP, { minimumPayout: 100 });
  await approveDueCommissions(db, new Date(), program.store.id);
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  // shopify-app-remix answers 410 to user agents it takes for bots, HeadlessChrome among them.
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
  });
  await context.route("**/*", async (route) => {
    const request = route.request();
    if (new URL(request.url()).hostname !== "127.0.0.1") return route.abort();
    // Documents carry theirs as id_token in the URL; assets need none.
    if (request.isNavigationRequest() || /\/assets\//.test(request.url())) return route.continue();
    // What App Bridge's fetch does: a fresh session token on every fetch to the app.
    const headers = { ...request.headers(), authorization: `Bearer ${await app.sessionToken(SHOP)}` };
    return route.continue({ headers });
  });
  page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(String(error)));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe("the embedded Payouts page in Chromium", () => {
  it("previews and runs a manual payout, downloads its CSV and marks it paid", async () => {
    const storeId = program.store.id;
    expect((await page.goto(await app.documentUrl(SHOP, "/app/payouts")))?.status()).toBe(200);
    await page.waitForFunction(() => (window as unknown as { __remixContext?: unknown }).__remixContext !== undefined);
    await page.getByRole("button", { name: "Pay now" }).click();
    const preview = (await page.getByTestId("payout-preview").textContent()) ?? "";
    const approved = await db.commission.groupBy({
      by: ["creatorId"],
      where: { storeId, status: "approved" },
      _sum: { amount: true },
    });
    for (const g of approved) expect(preview).toContain(`$${(Number(g._sum.amount) / 100).toFixed(2)}`);
    await page.getByRole("button", { name: "Confirm and pay" }).click();
    await page.getByText(/Run pr_\w+ started/).waitFor();
    const run = await db.payoutRun.findFirstOrThrow({ where: { storeId } });
    const payouts = await db.payout.findMany({ where: { storeId, runId: run.id } });
    expect(payouts.length).toBe(approved.length);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download CSV" }).click(),
    ]);
    const csv = readFileSync((await download.path())!, "utf8")
      .trimEnd()
      .split("\r\n");
    expect(csv).toHaveLength(payouts.length + 1);
    for (const p of payouts) expect(csv.some((l) => l.startsWith(`${p.id},${run.id},${p.creatorId},`))).toBe(true);

    for (const p of payouts) await page.getByLabel(`Select payout ${p.id}`).check();
    await page.getByRole("button", { name: "Mark selected paid" }).click();
    await page.getByText(`${payouts.length} payout(s) marked paid.`).waitFor();
    const after = await db.payout.findMany({ where: { storeId, runId: run.id } });
    expect(after.map((p) => p.status)).toEqual(after.map(() => "paid"));
    await page.screenshot({ path: join(ARTIFACTS, "payouts-embedded-desktop.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
