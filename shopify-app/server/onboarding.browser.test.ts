import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { createOwner } from "@trailmark/core/admin";
import { createApplyPage, setCampaignOnboarding, setProgramTerms } from "@trailmark/core/applications";
import { createCampaign } from "@trailmark/core/campaigns";
import type { Db } from "@trailmark/core/db";
import { type CreatorMailWorker, startCreatorMailWorker } from "@trailmark/core/mail";
import { createPortal, createSmtpMailer } from "@trailmark/core/portal";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { createStore, setStoreHandle, updateStoreCredentials } from "@trailmark/core/stores";
import {
  createTestDatabase,
  launchChromium,
  localPage,
  startTestSmtpServer,
  type TestDatabase,
  type TestSmtpServer,
} from "@trailmark/core/testing";
import { type FakeWooStore, fakeWooStore } from "@trailmark/woocommerce/testing";
import { setupServer } from "msw/node";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeDiscountGateways } from "../app/admin/store-discounts.server.ts";

// Creator onboarding end to end in headless Chromium: a visitor applies on the store's public page, the
// merchant approves in the standalone admin, the welcome mail arrives at a real SMTP server on loopback, the
// creator opens its sign-in link and sees their tracking link and discount code in the portal, and the
// WooCommerce store (MSW's fake REST API) received the coupon. Screenshots go to test-artifacts/onboarding/.

const ARTIFACTS = resolve(import.meta.dirname, "../../test-artifacts/onboarding");
const OWNER = "owner@glow-woo.example.com";
const PASSWORD = "onboarding owner passphrase";

const msw = setupServer();
let database: TestDatabase;
let db: Db;
let server: RunningServer;
let smtp: TestSmtpServer;
let mails: CreatorMailWorker;
let shop: FakeWooStore;
let browser: Browser;
let page: Page;
let storeId: string;
let campaignId: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  msw.listen({ onUnhandledRequest: "bypass" });
  shop = fakeWooStore({ url: "https://glow-woo.example.com" });
  msw.use(...shop.handlers);
  database = await createTestDatabase();
  db = database.db;
  const { store } = await createStore(db, {
    platform: "woocommerce",
    domain: "glow-woo.example.com",
    name: "Glow",
    currency: "EUR",
  });
  storeId = store.id;
  await updateStoreCredentials(db, storeId, { url: shop.url, consumerKey: shop.key, consumerSecret: shop.secret });
  await setStoreHandle(db, storeId, "glow");
  await setProgramTerms(db, storeId, { terms: "Say that Glow sent you the product." });
  campaignId = (await createCampaign(db, storeId, { name: "Spring glow", endsAt: new Date("2030-01-01T00:00:00Z") }))
    .id;
  await setCampaignOnboarding(db, storeId, campaignId, {
    discountType: "percentage",
    discountValue: 1000,
    oncePerCustomer: true,
    minimumSubtotal: 2500,
  });
  await createOwner(db, storeId, OWNER, PASSWORD);
  smtp = await startTestSmtpServer();
  const mailer = createSmtpMailer(smtp.url(), "Trailmark <no-reply@trailmark.test>");
  const { createShopifyAppHandler } = await import("./handler.ts");
  const handler = await createShopifyAppHandler({ database });
  let publicUrl = "";
  let portal: ReturnType<typeof createPortal> | null = null;
  let apply: ReturnType<typeof createApplyPage> | null = null;
  server = await serveFetch(
    (request, ctx) => portal?.route(request, ctx) ?? apply?.route(request, ctx) ?? handler(request, ctx),
    { port: 0, host: "127.0.0.1" },
  );
  publicUrl = server.url;
  process.env.PUBLIC_URL = publicUrl;
  portal = createPortal({ db, publicUrl, mailer });
  apply = createApplyPage({ db, publicUrl, discounts: storeDiscountGateways(db) });
  // The outbox worker, as every instance runs it, polling often so that the mail follows the approval quickly.
  mails = startCreatorMailWorker({ db, mailer, publicUrl, pollMs: 100 });
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  page = await localPage(context, pageErrors);
}, 300_000);

afterAll(async () => {
  await mails?.stop();
  await browser?.close();
  await server?.close();
  await smtp?.close();
  await database?.destroy();
  msw.close();
  delete process.env.PUBLIC_URL;
});

async function hydrated() {
  await page.waitForFunction(() => (window as unknown as { __remixContext?: unknown }).__remixContext !== undefined);
  await page.waitForLoadState("networkidle");
}

/** The text part of a raw mail, quoted-printable soft breaks and escapes undone. */
function mailText(raw: string): string {
  return raw
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

describe("creator onboarding in Chromium", () => {
  it("applies, is approved, receives the welcome mail and finds the link and the code in the portal", async () => {
    // The visitor applies.
    await page.goto(`${server.url}/apply/glow/${campaignId}`);
    await expect.poll(() => page.title()).toBe("Apply to Glow: Spring glow · Trailmark");
    await page.getByLabel("Your name").fill("Ada Lovelace");
    await page.getByLabel("Email").fill("ada@creators.example.com");
    await page.getByLabel("Your social profiles").fill("https://instagram.com/ada\nhttps://tiktok.com/@ada");
    await page.getByLabel("Audience size").fill("12000");
    await page.getByLabel("Country").fill("FR");
    await page.getByLabel("I have read and accept the program terms").check();
    await page.screenshot({ path: join(ARTIFACTS, "apply.png"), fullPage: true });
    await page.getByRole("button", { name: "Send my application" }).click();
    await page.getByText("Glow will review your application").waitFor();
    expect(await db.creatorApplication.count({ where: { storeId, status: "new" } })).toBe(1);

    // The merchant approves it in the standalone admin.
    await page.goto(`${server.url}/admin/applications`);
    await page.waitForURL(/\/admin\/login/);
    await hydrated();
    await page.getByLabel("Email", { exact: true }).fill(OWNER);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/admin/applications`);
    await hydrated();
    await expect.poll(() => page.title()).toBe("Applications · Trailmark");
    await page.getByText("Ada Lovelace · ada@creators.example.com").waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "admin-applications.png"), fullPage: true });
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByText("Approved Ada Lovelace <ada@creators.example.com>").waitFor();

    // The shop received the coupon.
    expect(shop.coupons).toEqual([
      expect.objectContaining({
        code: "adalovelace10",
        discount_type: "percent",
        amount: "10.00",
        individual_use: true,
        usage_limit_per_user: 1,
        minimum_amount: "25.00",
        status: "publish",
      }),
    ]);
    const couponPost = shop.requests.find((r) => r.method === "POST" && r.path === "/wp-json/wc/v3/coupons");
    expect(couponPost?.body).toEqual({
      code: "ADALOVELACE10",
      description: "Spring glow: ADALOVELACE10",
      discount_type: "percent",
      amount: "10.00",
      individual_use: true,
      usage_limit_per_user: 1,
      minimum_amount: "25.00",
      date_expires_gmt: "2030-01-01T00:00:00",
    });

    // The welcome mail, enqueued with the approval and sent by the outbox worker through SMTP. It was written
    // before the shop had the coupon, so it sends the creator to the portal for the code.
    const mail = await smtp.nextMail(10_000);
    expect(mail.to).toEqual(["ada@creators.example.com"]);
    const text = mailText(mail.raw);
    expect(text).toMatch(/^From: Glow <no-reply@trailmark\.test>/m);
    expect(text).toContain("Subject: Welcome to Glow's creator program");
    const link = await db.trackingLink.findFirstOrThrow({ where: { storeId, campaignId } });
    expect(text).toContain(
      `Spring glow: ${server.url}/c/${link.code} (your discount code is being created in the shop: it appears in your portal once it works)`,
    );
    expect(text).toContain(`enter this email address at ${server.url}/portal/sign-in`);
    // The worker records the mail as sent just after the SMTP server accepted it.
    await expect
      .poll(async () => (await db.creatorMail.findFirstOrThrow({ where: { storeId, kind: "welcome" } })).status)
      .toBe("sent");

    // The creator asks for a sign-in link where the mail says, signs in and sees the link and the code.
    await page.goto(`${server.url}/portal/sign-in`);
    await page.getByLabel("Email").fill("ada@creators.example.com");
    await page.getByRole("button", { name: "Send me a sign-in link" }).click();
    const signInMail = mailText((await smtp.nextMail(10_000)).raw);
    const signIn = new RegExp(`${server.url.replace(/[.]/g, "\\.")}/portal/auth\\?token=[\\w-]+`).exec(signInMail)?.[0];
    expect(signIn).toBeDefined();
    await page.goto(signIn!);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/portal`);
    await page.goto(`${server.url}/portal/links`);
    const card = page.locator(`section.link[data-code="${link.code}"]`);
    await card.waitFor();
    const cardText = (await card.textContent()) ?? "";
    expect(cardText).toContain(`${server.url}/c/${link.code}`);
    expect(cardText).toContain("ADALOVELACE10");
    await card.getByRole("button", { name: "Copy code ADALOVELACE10" }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe("ADALOVELACE10");
    await page.screenshot({ path: join(ARTIFACTS, "portal-links.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
