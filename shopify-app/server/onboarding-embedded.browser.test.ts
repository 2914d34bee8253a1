import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { createApplyPage, setCampaignOnboarding } from "@trailmark/core/applications";
import { createCampaign } from "@trailmark/core/campaigns";
import type { Db } from "@trailmark/core/db";
import { type CreatorMailWorker, startCreatorMailWorker } from "@trailmark/core/mail";
import { createPortal, createSmtpMailer } from "@trailmark/core/portal";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { createStore, setStoreHandle } from "@trailmark/core/stores";
import {
  createTestDatabase,
  launchChromium,
  startTestSmtpServer,
  type TestDatabase,
  type TestSmtpServer,
} from "@trailmark/core/testing";
import { createShopifyAdminFake, type ShopifyAdminFake, shopifyAdminHandlers } from "@trailmark/shopify/testing";
import { setupServer } from "msw/node";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeDiscountGateways } from "../app/admin/store-discounts.server.ts";

// Creator onboarding in the Shopify shell, in headless Chromium: a visitor applies on the public page, the
// merchant approves in the embedded admin (session tokens as App Bridge adds them, as in
// payouts-embedded.browser.test.ts), the discount is created through Admin GraphQL (MSW's fake, which checks
// the variables), the welcome mail arrives by SMTP and the creator finds the link and the code in the portal.

const SECRET = "test-api-secret-onboarding-browser";
const API_KEY = "test-api-key-onboarding-browser";
const APP_URL = "https://trailmark.test";
const SHOP = "glow-embedded";
const DOMAIN = `${SHOP}.myshopify.com`;
const ARTIFACTS = resolve(import.meta.dirname, "../../test-artifacts/onboarding");

const fake: ShopifyAdminFake = createShopifyAdminFake();
const msw = setupServer(...shopifyAdminHandlers(fake));
let database: TestDatabase;
let db: Db;
let server: RunningServer;
let smtp: TestSmtpServer;
let mails: CreatorMailWorker;
let browser: Browser;
let page: Page;
let storeId: string;
let campaignId: string;
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
  const { store } = await createStore(db, { platform: "shopify", domain: DOMAIN, name: "Glow", currency: "EUR" });
  storeId = store.id;
  await setStoreHandle(db, storeId, "glow-shopify");
  await db.session.create({
    data: {
      id: `offline_${DOMAIN}`,
      shop: DOMAIN,
      state: "",
      isOnline: false,
      scope: "read_orders,write_pixels,read_customer_events,write_discounts",
      accessToken: `shpat_${SHOP}`,
      expires: new Date(Date.now() + 86_400_000),
    },
  });
  campaignId = (
    await createCampaign(db, storeId, {
      name: "Summer",
      startsAt: new Date("2026-01-01T00:00:00Z"),
      endsAt: new Date("2030-01-01T00:00:00Z"),
    })
  ).id;
  await setCampaignOnboarding(db, storeId, campaignId, {
    discountType: "fixed_amount",
    discountValue: 500,
    oncePerCustomer: false,
    minimumSubtotal: 0,
  });
  smtp = await startTestSmtpServer();
  const mailer = createSmtpMailer(smtp.url(), "Trailmark <no-reply@trailmark.test>");
  const { createShopifyAppHandler } = await import("./handler.ts");
  const handler = await createShopifyAppHandler({ database });
  let portal: ReturnType<typeof createPortal> | null = null;
  let apply: ReturnType<typeof createApplyPage> | null = null;
  server = await serveFetch(
    (request, ctx) => portal?.route(request, ctx) ?? apply?.route(request, ctx) ?? handler(request, ctx),
    { port: 0, host: "127.0.0.1" },
  );
  process.env.PUBLIC_URL = server.url;
  portal = createPortal({ db, publicUrl: server.url, mailer });
  apply = createApplyPage({ db, publicUrl: server.url, discounts: storeDiscountGateways(db) });
  // The outbox worker, as every instance runs it, polling often so that the mail follows the approval quickly.
  mails = startCreatorMailWorker({ db, mailer, publicUrl: server.url, pollMs: 100 });
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  // shopify-app-remix answers 410 to user agents it takes for bots, HeadlessChrome among them.
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
  });
  await context.route("**/*", async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    if (url.hostname !== "127.0.0.1") return route.abort();
    if (!url.pathname.startsWith("/app") || request.isNavigationRequest()) return route.continue();
    const headers = { ...request.headers(), authorization: `Bearer ${await sessionToken()}` };
    return route.continue({ headers });
  });
  page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(String(error)));
}, 300_000);

afterAll(async () => {
  await mails?.stop();
  await browser?.close();
  await server?.close();
  await smtp?.close();
  msw.close();
  await database?.destroy();
  delete process.env.PUBLIC_URL;
});

function mailText(raw: string): string {
  return raw
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

describe("creator onboarding in the Shopify shell", () => {
  it("applies, is approved in the embedded admin, and the code is created through Admin GraphQL", async () => {
    await page.goto(`${server.url}/apply/glow-shopify`);
    await page.getByLabel("Your name").fill("Bea Creator");
    await page.getByLabel("Email").fill("bea@creators.example.com");
    await page.getByRole("button", { name: "Send my application" }).click();
    await page.getByText("Glow will review your application").waitFor();

    const document = await setUpValidRequest(
      { type: RequestType.Admin, store: SHOP, apiKey: API_KEY, apiSecretKey: SECRET },
      new Request(`${server.url}/app/applications`),
    );
    expect((await page.goto(document.url))?.status()).toBe(200);
    await page.waitForFunction(() => (window as unknown as { __remixContext?: unknown }).__remixContext !== undefined);
    await page.getByText("Bea Creator · bea@creators.example.com").waitFor();
    await page.getByLabel("Campaign", { exact: true }).first().selectOption(campaignId);
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByText("Approved Bea Creator <bea@creators.example.com>").waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "embedded-approved.png"), fullPage: true });

    const create = fake.calls.find((c) => c.operation === "trailmarkDiscountCodeBasicCreate");
    expect(create?.variables).toEqual({
      basicCodeDiscount: {
        title: "Summer: BEACREATOR",
        code: "BEACREATOR",
        startsAt: "2026-01-01T00:00:00.000Z",
        endsAt: "2030-01-01T00:00:00.000Z",
        context: { all: "ALL" },
        customerGets: { value: { discountAmount: { amount: "5.00", appliesOnEachItem: false } }, items: { all: true } },
        appliesOncePerCustomer: false,
        minimumRequirement: null,
        combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
      },
    });
    const code = await db.discountCode.findFirstOrThrow({ where: { storeId } });
    expect(code).toMatchObject({
      code: "BEACREATOR",
      storeStatus: "active",
      externalId: fake.discounts.get("BEACREATOR")!.id,
    });

    // The welcome mail from the outbox worker; the code was still being created when it was enqueued.
    const mail = await smtp.nextMail(10_000);
    expect(mail.to).toEqual(["bea@creators.example.com"]);
    const text = mailText(mail.raw);
    expect(text).toContain("Subject: Welcome to Glow's creator program");
    expect(text).toContain(
      "(your discount code is being created in the shop: it appears in your portal once it works)",
    );
    expect(text).toContain(`enter this email address at ${server.url}/portal/sign-in`);
    await page.goto(`${server.url}/portal/sign-in`);
    await page.getByLabel("Email").fill("bea@creators.example.com");
    await page.getByRole("button", { name: "Send me a sign-in link" }).click();
    const signInMail = mailText((await smtp.nextMail(10_000)).raw);
    const signIn = /http:\/\/127\.0\.0\.1:\d+\/portal\/auth\?token=[\w-]+/.exec(signInMail)?.[0];
    expect(signIn).toBeDefined();
    await page.goto(signIn!);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/portal`);
    await page.goto(`${server.url}/portal/links`);
    const link = await db.trackingLink.findFirstOrThrow({ where: { storeId, campaignId } });
    const card = page.locator(`section.link[data-code="${link.code}"]`);
    await card.waitFor();
    const cardText = (await card.textContent()) ?? "";
    expect(cardText).toContain(`${server.url}/c/${link.code}`);
    expect(cardText).toContain("BEACREATOR");
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
