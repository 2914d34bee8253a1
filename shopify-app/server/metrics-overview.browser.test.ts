import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { programMetrics, seedMetricsStore } from "@trailmark/core/metrics";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { displayMoney } from "@trailmark/core/shared";
import { createTestDatabase, launchChromium, localPage, type TestDatabase } from "@trailmark/core/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInOwner } from "../app/admin/test-support.ts";

// The standalone admin in headless Chromium on a store with dollars and euros: the Overview and a creator's
// page and the campaign's page show money per currency, side by side, never one total. Screenshots go to test-artifacts/metrics/.

const ARTIFACTS = resolve(import.meta.dirname, "../../test-artifacts/metrics");
let database: TestDatabase;
let server: RunningServer;
let browser: Browser;
let page: Page;
let storeId: string;
let adaId: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const { program } = await seedMetricsStore(db);
  storeId = program.store.id;
  adaId = program.creators[0]!.id;
  const owner = await signInOwner(db, storeId);
  const { createShopifyAppHandler } = await import("./handler.ts");
  const handler = await createShopifyAppHandler({ database });
  server = await serveFetch((request) => handler(request), { port: 0, host: "127.0.0.1" });
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: "reduce" });
  const [name, value] = owner.cookie.split("=") as [string, string];
  await context.addCookies([{ name, value, url: server.url }]);
  page = await localPage(context, pageErrors);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await database?.destroy();
});

async function hydrated() {
  await page.waitForFunction(() => (window as unknown as { __remixContext?: unknown }).__remixContext !== undefined);
  await page.waitForLoadState("networkidle");
}

describe("money per currency in the admin", () => {
  it("the Overview shows dollars and euros apart, each with its revenue, commissions and reversed part", async () => {
    const truth = await programMetrics(database.db, storeId, "USD");
    await page.goto(`${server.url}/admin?from=2026-03-01&to=2026-03-31`);
    await hydrated();
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText (the rendered text, without inline scripts), not the DOM property
    const text = await page.locator("body").innerText();
    expect(text).toContain("In USD");
    expect(text).toContain("In EUR");
    for (const m of truth.totals.money) {
      expect(text).toContain(displayMoney(m.revenue, m.currency));
      expect(text).toContain(`${displayMoney(m.commissions.reversed, m.currency)} reversed`);
    }
    expect(text).toContain(`${truth.totals.refunded} refunded in full · ${truth.totals.cancelled} cancelled`);
    await page.screenshot({ path: resolve(ARTIFACTS, "overview-per-currency.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it("a creator's page and the campaign's page show their results per currency and draw the daily chart", async () => {
    const range = { from: new Date("2026-03-01T00:00:00Z"), to: new Date("2026-04-01T00:00:00Z") };
    const truth = await programMetrics(database.db, storeId, "USD", { ...range, creatorId: adaId });
    const response = await page.goto(`${server.url}/admin/creators/${adaId}?from=2026-03-01&to=2026-03-31`);
    expect(response?.status()).toBe(200);
    await hydrated();
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText (the rendered text, without inline scripts), not the DOM property
    const text = await page.locator("body").innerText({ timeout: 5_000 });
    expect(text).toContain("Results, 2026-03-01 to 2026-03-31");
    for (const m of truth.totals.money) {
      expect(text).toContain(m.currency);
      expect(text).toContain(displayMoney(m.revenue, m.currency));
    }
    expect(await page.getByTestId("performance-counts").textContent({ timeout: 5_000 })).toContain(
      `${truth.totals.purchases} purchases`,
    );
    // polaris-viz draws in the browser only: its SVG replaces the server's placeholder.
    const chart = page.getByTestId("time-series-chart");
    await expect.poll(() => chart.locator("svg path").count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: resolve(ARTIFACTS, "creator-per-currency.png"), fullPage: true });

    // The range picker narrows the page: nothing happened in January.
    await page.getByRole("textbox", { name: "From", exact: true }).fill("2026-01-01");
    await page.getByRole("textbox", { name: "To", exact: true }).fill("2026-01-31");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/from=2026-01-01/);
    await expect
      .poll(() => page.getByTestId("performance-counts").textContent())
      .toContain("0 qualified clicks (0 raw) · 0 sign-ups · 0 purchases");

    const campaign = await database.db.campaign.findFirstOrThrow({ where: { storeId } });
    const scoped = await programMetrics(database.db, storeId, campaign.currency, { ...range, campaignId: campaign.id });
    await page.goto(`${server.url}/admin/campaigns/${campaign.id}?from=2026-03-01&to=2026-03-31`);
    await hydrated();
    expect(await page.getByTestId("performance-counts").textContent()).toContain(
      `${scoped.totals.purchases} purchases · ${scoped.totals.refunded} refunded in full`,
    );
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText (the rendered text, without inline scripts), not the DOM property
    const campaignText = await page.locator("body").innerText();
    for (const m of scoped.totals.money) expect(campaignText).toContain(displayMoney(m.revenue, m.currency));
    await expect
      .poll(() => page.getByTestId("time-series-chart").locator("svg path").count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    await page.screenshot({ path: resolve(ARTIFACTS, "campaign-performance.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
