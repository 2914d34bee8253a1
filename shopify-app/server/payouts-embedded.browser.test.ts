import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { type AdminProgram, seedAdminProgram } from "@trailmark/core/admin";
import { approveDueCommissions } from "@trailmark/core/conversions";
import type { Db } from "@trailmark/core/db";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { createTestDatabase, launchChromium, type TestDatabase } from "@trailmark/core/testing";
import { createShopifyAdminFake, shopifyAdminHandlers } from "@trailmark/shopify/testing";
import { setupServer } from "msw/node";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The embedded Payouts page in headless Chromium. The Shopify admin is not here, so the test plays its part:
// the document is opened with a session token as id_token (as the admin's iframe URL carries it) and every
// request the page makes gets a fresh session token as a Bearer header, signed with the app's secret as App
// Bridge's fetch adds it. App Bridge's own script (Shopify's CDN) is not loaded.

const SECRET = "test-api-secret-payouts-browser";
const API_KEY = "test-api-key-payouts-browser";
const APP_URL = "https://trailmark.test";
const SHOP = "pay-browser";
const ARTIFACTS = resolve(import.meta.dirname, "../../test-artifacts/payouts");

const msw = setupServer(...shopifyAdminHandlers(createShopifyAdminFake()));
let database: TestDatabase;
let db: Db;
let server: RunningServer;
let browser: Browser;
let page: Page;
let program: AdminProgram;
const pageErrors: string[] = [];

async function sessionToken(): Promise<string> {
  const request = await setUpValidRequest(
    { type: RequestType.Bearer, store: SHOP, apiKey: API_KEY, apiSecretKey: SECRET },
    new Request(`${APP_URL}/app`),
  );
  return request.headers.get("authorization")!.replace(/^Bearer /, "");
}

beforeAll(async () => {
  Object.assign(process.env, { SHOPIFY_API_KEY: API_KEY, SHOPIFY_API_SECRET: SECRET, SHOPIFY_APP_URL: APP_URL });
  msw.listen({
    onUnhandledRequest(request, print) {
      if (new URL(request.url).hostname !== "127.0.0.1") print.error();
    },
  });
  database = await createTestDatabase();
  db = database.db;
  program = await seedAdminProgram(db);
  const domain = `${SHOP}.myshopify.com`;
  await db.store.update({
    where: { id: program.store.id },
    data: { platform: "shopify", domain, name: SHOP, minimumPayout: 100 },
  });
  await db.session.create({
    data: {
      id: `offline_${domain}`,
      shop: domain,
      state: "",
      isOnline: false,
      scope: "read_orders,write_pixels,read_customer_events,write_discounts",
      accessToken: `shpat_${SHOP}`,
      expires: new Date(Date.now() + 86_400_000),
    },
  });
  await approveDueCommissions(db, new Date(), program.store.id);
  const { createShopifyAppHandler } = await import("./handler.ts");
  const handler = await createShopifyAppHandler({ database });
  server = await serveFetch((request) => handler(request), { port: 0, host: "127.0.0.1" });
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
    const headers = { ...request.headers(), authorization: `Bearer ${await sessionToken()}` };
    return route.continue({ headers });
  });
  page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(String(error)));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  msw.close();
  await database?.destroy();
});

describe("the embedded Payouts page in Chromium", () => {
  it("previews and runs a manual payout, downloads its CSV and marks it paid", async () => {
    const storeId = program.store.id;
    const document = await setUpValidRequest(
      { type: RequestType.Admin, store: SHOP, apiKey: API_KEY, apiSecretKey: SECRET },
      new Request(`${server.url}/app/payouts`),
    );
    expect((await page.goto(document.url))?.status()).toBe(200);
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
