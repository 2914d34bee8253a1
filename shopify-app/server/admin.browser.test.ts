import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createOwner } from "@trailmark/core/admin";
import type { Db } from "@trailmark/core/db";
import { createTrackingApp, type TrackingApp } from "@trailmark/core/http";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { createStore, type Store } from "@trailmark/core/stores";
import { createTestDatabase, launchChromium, localPage, type TestDatabase } from "@trailmark/core/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The standalone admin end to end in headless Chromium, as the owner of a custom-site store uses it: sign in,
// create a campaign, a creator and a link, create an API key; then a visitor clicks the link (/c/:code), the
// site script reports a page view (/collect) and the store's server reports the order (/api/v1/conversions
// with the key); the owner sees the conversion with its journey and the right commission. A screenshot of every
// page goes to test-artifacts/admin-e2e/.

export const ARTIFACTS = resolve(import.meta.dirname, "../../test-artifacts/admin-e2e");
const EMAIL = "owner@e2e-shop.example.com";
const PASSWORD = "e2e owner passphrase";
const DOMAIN = "e2e-shop.example.com";
const BROWSER_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

let database: TestDatabase;
let db: Db;
let tracking: TrackingApp;
let server: RunningServer;
let browser: Browser;
let page: Page;
let store: Store;
const pageErrors: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  tracking = createTrackingApp({ database });
  await tracking.start();
  const { createShopifyAppHandler } = await import("./handler.ts");
  const handler = await createShopifyAppHandler({ database });
  server = await serveFetch((request, ctx) => tracking.route(request, ctx) ?? handler(request), {
    port: 0,
    host: "127.0.0.1",
  });
  // Tracking links printed by the admin point at this server.
  process.env.PUBLIC_URL = server.url;
  store = (await createStore(db, { platform: "custom", domain: DOMAIN, name: "E2E Tea", currency: "USD" })).store;
  await createOwner(db, store.id, EMAIL, PASSWORD);
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  // Reduced motion: polaris-viz then draws its charts at once, so screenshots do not catch them mid-animation.
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    userAgent: BROWSER_UA,
    reducedMotion: "reduce",
  });
  page = await localPage(context, pageErrors);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await tracking?.stop();
  await database?.destroy();
  delete process.env.PUBLIC_URL;
  console.info(`admin screenshots: ${ARTIFACTS}`);
});

async function shot(name: string) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Waits for Remix to hydrate, so that forms are submitted by the app rather than the browser. */
async function hydrated() {
  await page.waitForFunction(() => (window as unknown as { __remixContext?: unknown }).__remixContext !== undefined);
  await page.waitForLoadState("networkidle");
}

async function poll<T>(read: () => Promise<T | null>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("the standalone admin in Chromium", () => {
  let trackingUrl = "";
  let apiKey = "";

  it("signs the owner in", async () => {
    await page.goto(`${server.url}/admin/campaigns`);
    await page.waitForURL(/\/admin\/login\?next=%2Fadmin%2Fcampaigns$/);
    await hydrated();
    await shot("01-sign-in");
    await page.getByLabel("Email", { exact: true }).fill(EMAIL);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByText("wrong email or password").count()).toBe(1);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/admin/campaigns`);
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === "tm_admin")).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  });

  it("shows empty states before anything exists", async () => {
    await page.getByRole("link", { name: "Overview" }).click();
    await page.waitForURL(`${server.url}/admin`);
    await expect.poll(() => page.getByText("Start your first campaign").count()).toBe(1);
    await shot("02-overview-empty");
  });

  it("creates a campaign, checking the form in the browser first", async () => {
    await page.goto(`${server.url}/admin/campaigns/new`);
    await hydrated();
    await page.getByRole("button", { name: "Create campaign" }).click();
    // The browser's own check with the server's schema: no request was needed to show it.
    await expect.poll(() => page.getByText("The name is required").count()).toBe(1);
    await page.getByLabel("Name").fill("Spring launch");
    await page.getByLabel("Commission", { exact: true }).first().fill("12.5");
    await page.getByLabel("Budget cap").fill("500");
    await page.getByLabel("Percentages are paid on").selectOption("order_total");
    await shot("03-campaign-new");
    await page.getByRole("button", { name: "Create campaign" }).click();
    await page.waitForURL(/\/admin\/campaigns\/cp_\w+\?created=1$/);
    await expect.poll(() => page.getByText("Campaign created.").count()).toBe(1);
    await expect.poll(() => page.getByText("Commission base: Order total", { exact: false }).count()).toBe(1);
    await shot("04-campaign");
    const campaign = await db.campaign.findFirstOrThrow({ where: { storeId: store.id } });
    expect(campaign).toMatchObject({ name: "Spring launch", budgetCap: 50_000n, commissionBase: "order_total" });
    expect(JSON.parse(campaign.commissionRules)).toEqual({ purchase: { type: "percentage", basisPoints: 1250 } });
  });

  it("adds a creator and gives them a tracking link", async () => {
    await page.goto(`${server.url}/admin/creators`);
    await hydrated();
    await expect.poll(() => page.getByText("Add your first creator").count()).toBe(1);
    await page.getByLabel("Name").fill("Ada Lovelace");
    await page.getByLabel("Email (optional)").fill("ada@example.com");
    await page.getByRole("button", { name: "Add creator" }).click();
    await page.waitForURL(/\/admin\/creators\/cr_\w+\?created=1$/);
    await hydrated();
    await page.getByLabel("Destination").fill(`https://${DOMAIN}/products/green-tea`);
    await page.getByLabel("Code (optional)").fill("ada-spring");
    await page.getByRole("button", { name: "Create link" }).click();
    await expect.poll(() => page.getByTestId("tracking-url").count()).toBe(1);
    trackingUrl = (await page.getByTestId("tracking-url").textContent()) ?? "";
    expect(trackingUrl).toBe(`${server.url}/c/ada-spring`);
    await shot("05-creator");
    await page.goto(`${server.url}/admin/creators`);
    await shot("06-creators");
  });

  it("creates an API key, shown once", async () => {
    await page.goto(`${server.url}/admin/settings`);
    await hydrated();
    await page.getByLabel("New key's name").fill("Checkout server");
    await page.getByRole("button", { name: "Create key" }).click();
    await expect.poll(() => page.getByTestId("new-api-key").count()).toBe(1);
    apiKey = (await page.getByTestId("new-api-key").textContent()) ?? "";
    expect(apiKey).toMatch(/^tm_live_\w{8}_\w{32}$/);
    await shot("07-settings-key");
    await page.reload();
    await expect.poll(() => page.getByText("Checkout server").count()).toBeGreaterThan(0);
    expect(await page.getByTestId("new-api-key").count()).toBe(0);
  });

  it("sees a visitor's journey through the tracking endpoints as a conversion with the right commission", async () => {
    // 1. The visitor clicks the creator's link.
    const click = await fetch(trackingUrl, {
      redirect: "manual",
      headers: { "user-agent": BROWSER_UA, "accept-language": "en" },
    });
    expect(click.status).toBe(302);
    const landing = new URL(click.headers.get("location")!);
    expect(landing.host).toBe(DOMAIN);
    const clickId = landing.searchParams.get("tm_click")!;
    await poll(() => db.click.findUnique({ where: { id: clickId } }), "the click");
    // 2. The site script reports the landing page view.
    const visitor = "vid-e2e-visitor";
    const collected = await fetch(`${server.url}/collect`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: `https://${DOMAIN}` },
      body: JSON.stringify({
        store: store.id,
        events: [
          { id: "pv-e2e-1", type: "page_view", visitor_id: visitor, click_ids: [clickId], url: landing.toString() },
          {
            id: "pv-e2e-2",
            type: "page_view",
            visitor_id: visitor,
            click_ids: [clickId],
            url: `https://${DOMAIN}/cart`,
          },
        ],
      }),
    });
    expect(collected.status).toBe(202);
    await poll(
      async () => ((await db.event.count({ where: { storeId: store.id } })) === 2 ? true : null),
      "the page views",
    );
    // 3. The store's server reports the order: 96.00, of which 12.5% is 12.00.
    const order = await fetch(`${server.url}/api/v1/conversions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({
        type: "purchase",
        occurred_at: new Date(Date.now() + 1000).toISOString(),
        order_id: "E2E-1001",
        value: "96.00",
        currency: "USD",
        visitor_id: visitor,
        click_id: clickId,
      }),
    });
    expect(order.status, await order.clone().text()).toBeLessThan(300);

    await page.goto(`${server.url}/admin/conversions`);
    await hydrated();
    await expect.poll(() => page.getByRole("link", { name: /E2E-1001|Order/ }).count()).toBeGreaterThan(0);
    await shot("08-conversions");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^trailmark-conversions-\d{4}-\d{2}-\d{2}\.csv$/);
    await download.saveAs(join(ARTIFACTS, "conversions.csv"));
    expect(readFileSync(join(ARTIFACTS, "conversions.csv"), "utf8")).toContain("E2E-1001");
    await page
      .getByRole("link", { name: /E2E-1001|Order/ })
      .first()
      .click();
    await page.waitForURL(/\/admin\/conversions\/cv_\w+$/);
    const journey = page.getByTestId("journey");
    await expect.poll(() => journey.locator("li").count()).toBe(4);
    const steps = await journey.locator("li").allInnerTexts();
    expect(steps[0]).toMatch(/^Click/);
    expect(steps[0]).toContain("Ada Lovelace");
    expect(steps[0]).toContain("100% credit");
    expect(steps[1]).toMatch(/^Visit/);
    expect(steps[2]).toMatch(/^Visit[\s\S]*\/cart/);
    expect(steps[3]).toMatch(/^Conversion/);
    const creator = await db.creator.findFirstOrThrow({ where: { storeId: store.id } });
    expect(await page.getByTestId(`commission-${creator.id}`).textContent()).toBe("$12.00");
    await shot("09-conversion-journey");
  });

  it("shows the results on the overview, the model comparison and the campaign", async () => {
    await page.goto(`${server.url}/admin`);
    await hydrated();
    const chart = page.getByTestId("time-series-chart");
    await expect.poll(() => chart.count()).toBe(1);
    // polaris-viz draws in the browser only: its SVG (with the line's path) replaces the server's placeholder.
    await expect.poll(() => chart.locator("svg path").count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await page.getByText("$96.00").count()).toBeGreaterThan(0);
    await shot("10-overview");
    await chart.page().getByRole("button", { name: "Conversions", exact: true }).click();
    await expect.poll(() => chart.getAttribute("data-metric")).toBe("conversions");
    await expect.poll(() => chart.locator("svg rect, svg path").count()).toBeGreaterThan(0);
    await shot("10-overview-conversions");
    await page.goto(`${server.url}/admin/models`);
    await hydrated();
    await expect.poll(() => page.getByText("Ada Lovelace").count()).toBeGreaterThan(0);
    await shot("11-models");
    await page.goto(`${server.url}/admin/campaigns`);
    await hydrated();
    expect(await page.getByText("$12.00 of $500.00").count()).toBe(1);
    await shot("12-campaigns");
    await page.goto(`${server.url}/admin/settings`);
    await hydrated();
    // The order came in with the key: Settings shows when it was last used (a date, not "–").
    const keyRow = page.locator("tr", { hasText: "Checkout server" });
    expect(await keyRow.locator("td").nth(2).textContent()).toMatch(/\d{4}, \d\d:\d\d/);
    await shot("13-settings");
  });

  it("titles every page and reaches every section from the menu on a 390 px phone", async () => {
    await page.goto(`${server.url}/admin/settings`);
    await hydrated();
    expect(await page.title()).toBe("Settings · Trailmark");
    await page.setViewportSize({ width: 390, height: 844 });
    const campaignsLink = page.getByRole("link", { name: "Campaigns", exact: true });
    await expect.poll(() => campaignsLink.isVisible()).toBe(false);
    await page.getByRole("button", { name: "Toggle menu" }).click();
    await expect.poll(() => campaignsLink.isVisible()).toBe(true);
    // Polaris slides the menu in with a CSS transition that reduced motion does not shorten.
    await page.waitForTimeout(500);
    await shot("14-phone-menu");
    await campaignsLink.click();
    await page.waitForURL(`${server.url}/admin/campaigns`);
    await expect.poll(() => page.title()).toBe("Campaigns · Trailmark");
    await expect.poll(() => campaignsLink.isVisible()).toBe(false);
    const scrolls = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(scrolls).toBe(false);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("signs out", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/admin\/login/);
    await page.goto(`${server.url}/admin/conversions`);
    await page.waitForURL(/\/admin\/login\?next=/);
    expect(pageErrors).toEqual([]);
  });
});
