import { createOwner } from "@trailmark/core/admin";
import { createCampaign } from "@trailmark/core/campaigns";
import type { Db } from "@trailmark/core/db";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { createStore, type Store } from "@trailmark/core/stores";
import { createTestDatabase, launchChromium, localPage, type TestDatabase } from "@trailmark/core/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The campaign page's commission rules in headless Chromium: the owner adds a product rate, a tier and a bonus;
// a mistake is caught in the browser with the server's own schema; once saved, the page explains the rules in
// plain words and says which rule an item would get.

const EMAIL = "owner@rules-shop.example.com";
const PASSWORD = "rules owner passphrase";

let database: TestDatabase;
let db: Db;
let server: RunningServer;
let browser: Browser;
let page: Page;
let store: Store;
let campaignId = "";
const pageErrors: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  const { createShopifyAppHandler } = await import("./handler.ts");
  const handler = await createShopifyAppHandler({ database });
  server = await serveFetch((request) => handler(request), { port: 0, host: "127.0.0.1" });
  store = (await createStore(db, { platform: "custom", domain: "rules-shop.example.com", currency: "USD" })).store;
  await createOwner(db, store.id, EMAIL, PASSWORD);
  campaignId = (
    await createCampaign(db, store.id, {
      name: "Rules",
      commissionRules: { purchase: { type: "percentage", basisPoints: 1000 } },
    })
  ).id;
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
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

describe("the campaign's commission rules in Chromium", () => {
  it("saves a product rate, a tier and a bonus, explains them and says which rule an item gets", async () => {
    await page.goto(`${server.url}/admin/campaigns/${campaignId}`);
    await page.waitForURL(/\/admin\/login/);
    await hydrated();
    await page.getByLabel("Email", { exact: true }).fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/admin/campaigns/${campaignId}`);
    await hydrated();
    await expect.poll(() => page.getByText("Every purchase earns the campaign's rate.").count()).toBe(1);

    await page.getByLabel("Id", { exact: true }).fill("632910392");
    await page.getByLabel("Name (for you)", { exact: true }).fill("Trail shoe");
    await page.getByLabel("Rate (% or amount)", { exact: true }).fill("150");
    await page.getByLabel("Tiers by", { exact: true }).selectOption("sales");
    await page.getByLabel("From sales of (USD)", { exact: true }).first().fill("1000");
    await page.getByLabel("Percentage", { exact: true }).first().fill("15");
    await page.getByLabel("Name (a-z, 0-9, -)", { exact: true }).fill("ten-sales");
    await page.getByLabel("Reach", { exact: true }).fill("10");
    await page.getByLabel("Bonus (USD)", { exact: true }).fill("50");
    let posts = 0;
    page.on("request", (r) => {
      if (r.method() === "POST") posts++;
    });
    await page.getByRole("button", { name: "Save commission rules" }).click();
    // Checked in the browser with the server's schema: no request was needed to show it.
    await expect.poll(() => page.getByText("must be a percentage from 0 to 100, such as 10 or 12.5").count()).toBe(1);
    expect(posts).toBe(0);
    await page.getByLabel("Rate (% or amount)", { exact: true }).fill("20");
    await page.getByRole("button", { name: "Save commission rules" }).click();
    await expect.poll(() => page.getByText("Commission rules saved.", { exact: false }).count()).toBe(1);

    const row = await db.campaign.findUniqueOrThrow({ where: { id: campaignId } });
    expect(JSON.parse(row.commissionPlan)).toEqual({
      productRules: [
        { target: "product", id: "632910392", label: "Trail shoe", rate: { type: "percentage", basisPoints: 2000 } },
      ],
      tiers: { metric: "sales", period: "month", steps: [{ threshold: 100_000, basisPoints: 1500 }] },
      bonuses: [{ key: "ten-sales", metric: "conversions", period: "month", threshold: 10, amount: 5000 }],
    });
    await expect
      .poll(() =>
        page.getByText("Product Trail shoe (632910392): 20% of the item's price after discounts, without tax.").count(),
      )
      .toBe(1);
    await expect
      .poll(() =>
        page
          .getByText("ten-sales: a one-time 50.00 USD when a creator reaches 10 conversions", { exact: false })
          .count(),
      )
      .toBe(1);

    await page.getByLabel("Product id", { exact: true }).fill("632910392");
    await expect
      .poll(() => page.getByTestId("rule-check").textContent())
      .toBe("The product rule for 632910392 applies: 20% of the item's price after discounts, without tax.");
    await page.getByLabel("Product id", { exact: true }).fill("other");
    await expect.poll(() => page.getByTestId("rule-check").textContent()).toBe("The campaign's rate applies.");
    expect(pageErrors).toEqual([]);
  });
});
