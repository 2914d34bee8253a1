import {
  approveApplication,
  pushDiscountCode,
  setCampaignOnboarding,
  submitApplication,
} from "@trailmark/core/applications";
import { createCampaign } from "@trailmark/core/campaigns";
import type { Db } from "@trailmark/core/db";
import { sendDueCreatorMails } from "@trailmark/core/mail";
import { createMemoryMailer } from "@trailmark/core/portal";
import { createStore, updateStoreCredentials } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { createShopifyAdminFake, shopifyAdminHandlers } from "@trailmark/shopify/testing";
import { type FakeWooStore, fakeWooStore } from "@trailmark/woocommerce/testing";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provideDatabase } from "../db.server.ts";
import * as applications from "../routes/admin.applications.tsx";
import * as campaigns from "../routes/admin.campaigns._index.tsx";
import * as creator from "../routes/admin.creators.$id.tsx";
import * as settings from "../routes/admin.settings.tsx";
import { lacksDiscountScope, storeDiscountGateways } from "./store-discounts.server.ts";
import { get, ORIGIN, type Owner, post, signInOwner } from "./test-support.ts";

// The standalone admin's Applications page and the onboarding parts of Settings, through the route modules,
// for a WooCommerce store whose REST API is the fake: approving creates the coupon in the shop.

const msw = setupServer();
const mailer = createMemoryMailer();
let database: TestDatabase;
let db: Db;
let shop: FakeWooStore;
let owner: Owner;
let storeId: string;
let campaignId: string;

beforeAll(async () => {
  process.env.SHOPIFY_APP_URL = ORIGIN;
  msw.listen({ onUnhandledRequest: "error" });
  database = await createTestDatabase();
  db = database.db;
  provideDatabase(database);
  shop = fakeWooStore({ url: "https://woo-apply.example.com" });
  msw.use(...shop.handlers);
  const { store } = await createStore(db, {
    platform: "woocommerce",
    domain: "woo-apply.example.com",
    currency: "EUR",
  });
  storeId = store.id;
  await updateStoreCredentials(db, storeId, { url: shop.url, consumerKey: shop.key, consumerSecret: shop.secret });
  campaignId = (await createCampaign(db, storeId, { name: "Spring" })).id;
  owner = await signInOwner(db, storeId);
});

/** Runs the creator mail worker once (as the instance's does every few seconds); the mails it sent. */
async function deliver() {
  const before = mailer.messages.length;
  await sendDueCreatorMails({ db, mailer, publicUrl: ORIGIN });
  return mailer.messages.slice(before);
}
afterAll(async () => {
  msw.close();
  await database.destroy();
});

type List = {
  status: string;
  counts: Record<string, number>;
  applyUrl: string | null;
  applications: { id: string; email: string; creatorId: string | null; reason: string | null }[];
  campaigns: { id: string; onboarding: Record<string, unknown> }[];
};

describe("Applications in the standalone admin", () => {
  it("saves the page's handle and the terms in Settings", async () => {
    const bad = await post(settings.action, "/admin/settings", { intent: "saveHandle", handle: "-x" }, { owner });
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({ errors: { handle: expect.stringContaining("lower-case") } });
    const saved = await post(
      settings.action,
      "/admin/settings",
      { intent: "saveHandle", handle: "Woo-Apply" },
      { owner },
    );
    expect(saved).toMatchObject({ status: 200, data: { message: `Creators now apply at ${ORIGIN}/apply/woo-apply.` } });
    const terms = await post(
      settings.action,
      "/admin/settings",
      { intent: "saveTerms", terms: "Disclose." },
      { owner },
    );
    expect(terms.data).toMatchObject({ message: "Terms saved (version 1)." });
    const page = await get<{ program: Record<string, unknown> }>(settings.loader, "/admin/settings", { owner });
    expect(page.data.program).toEqual({
      handle: "woo-apply",
      applyUrl: `${ORIGIN}/apply/woo-apply`,
      terms: "Disclose.",
      termsVersion: 1,
    });
  });

  it("sets a campaign's discount from the form's text", async () => {
    const bad = await post(
      applications.action,
      "/admin/applications",
      { intent: "saveOnboarding", campaignId, discountType: "percentage", discountValue: "150" },
      { owner },
    );
    expect(bad).toMatchObject({
      status: 400,
      data: { errors: { discountValue: "a percentage between 0.01 and 100" } },
    });
    const saved = await post(
      applications.action,
      "/admin/applications",
      {
        intent: "saveOnboarding",
        campaignId,
        discountType: "percentage",
        discountValue: "12.5",
        minimumSubtotal: "30",
        oncePerCustomer: "1",
      },
      { owner },
    );
    expect(saved.status).toBe(200);
    const list = await get<List>(applications.loader, "/admin/applications", { owner });
    expect(list.data.campaigns[0]!.onboarding).toEqual({
      autoApprove: false,
      discountType: "percentage",
      discountValue: 1250,
      oncePerCustomer: true,
      minimumSubtotal: 3000,
    });
  });

  it("approves an application: the coupon is created in the shop and the welcome mail enqueued", async () => {
    const deps = { db, publicUrl: ORIGIN };
    await submitApplication(
      deps,
      storeId,
      { name: "Ada", email: "ada@example.com", consent: true, termsVersion: 1 },
      { campaignId },
    );
    const list = await get<List>(applications.loader, "/admin/applications", { owner });
    expect(list.data.counts).toEqual({ new: 1, approved: 0, rejected: 0 });
    expect(list.data.applyUrl).toBe(`${ORIGIN}/apply/woo-apply`);
    const [application] = list.data.applications;
    const approved = await post(
      applications.action,
      "/admin/applications",
      { intent: "approve", applicationId: application!.id },
      { owner },
    );
    expect(approved).toMatchObject({
      status: 200,
      data: { message: "Approved Ada <ada@example.com>: creator, link and code made, welcome mail on its way." },
    });
    expect(shop.coupons).toEqual([
      expect.objectContaining({ code: "ada12", discount_type: "percent", amount: "12.50", minimum_amount: "30.00" }),
    ]);
    // The welcome mail was enqueued with the approval, before the coupon existed: it sends the creator to the
    // portal for the code.
    const row = await db.creatorMail.findFirstOrThrow({ where: { storeId, dedupKey: `welcome:${application!.id}` } });
    const link = await db.trackingLink.findFirstOrThrow({ where: { storeId, creatorId: row.creatorId } });
    expect({ ...row, data: JSON.parse(row.data) }).toMatchObject({
      kind: "welcome",
      status: "queued",
      data: { links: [{ campaign: "Spring", url: `${ORIGIN}/c/${link.code}`, code: null, codePending: true }] },
    });
    const [mail, ...more] = await deliver();
    expect(more).toEqual([]);
    expect(mail).toMatchObject({
      to: "ada@example.com",
      fromName: "woo-apply.example.com",
      subject: "Welcome to woo-apply.example.com's creator program",
    });
    expect(mail!.text).toContain(`Spring: ${ORIGIN}/c/${link.code} (your discount code is being created in the shop`);
    expect(mail!.text).toContain(`${ORIGIN}/portal/sign-in`);
    expect(await db.creatorMail.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: "sent" });
    const approvedList = await get<List>(applications.loader, "/admin/applications?status=approved", { owner });
    const creatorId = approvedList.data.applications[0]!.creatorId!;
    const page = await get<{ codes: { code: string; storeStatus: string }[] }>(
      creator.loader,
      `/admin/creators/${creatorId}`,
      {
        owner,
        params: { id: creatorId },
      },
    );
    expect(page.data.codes).toEqual([expect.objectContaining({ code: "ADA12", storeStatus: "active" })]);
    // Archiving the creator trashes the coupon; restoring publishes it again.
    await post(
      creator.action,
      `/admin/creators/${creatorId}`,
      { intent: "archive" },
      { owner, params: { id: creatorId } },
    );
    expect(shop.coupons[0]!.status).toBe("trash");
    await post(
      creator.action,
      `/admin/creators/${creatorId}`,
      { intent: "restore" },
      { owner, params: { id: creatorId } },
    );
    expect(shop.coupons[0]!.status).toBe("publish");
  });

  it("rejects with a reason, and refuses a rejection without one", async () => {
    const deps = { db, publicUrl: ORIGIN };
    const { application } = await submitApplication(deps, storeId, {
      name: "Ben",
      email: "ben@example.com",
      consent: true,
      termsVersion: 1,
    });
    const empty = await post(
      applications.action,
      "/admin/applications",
      { intent: "reject", applicationId: application.id, reason: " " },
      { owner },
    );
    expect(empty).toMatchObject({
      status: 400,
      data: { intent: `reject:${application.id}`, errors: { reason: "say why: the applicant receives it" } },
    });
    const rejected = await post(
      applications.action,
      "/admin/applications",
      { intent: "reject", applicationId: application.id, reason: "Not a fit this season." },
      { owner },
    );
    expect(rejected.status).toBe(200);
    expect(
      await db.creatorMail.findFirstOrThrow({ where: { storeId, dedupKey: `application_rejected:${application.id}` } }),
    ).toMatchObject({
      kind: "application_rejected",
      creatorId: application.id,
      data: '{"reason":"Not a fit this season."}',
    });
    const [mail, ...more] = await deliver();
    expect(more).toEqual([]);
    expect(mail).toMatchObject({
      to: "ben@example.com",
      subject: "Your application to woo-apply.example.com's creator program",
    });
    expect(mail!.text).toContain("Hello Ben,");
    expect(mail!.text).toContain("The store's reason: Not a fit this season.");
    const again = await post(
      applications.action,
      "/admin/applications",
      { intent: "approve", applicationId: application.id },
      { owner },
    );
    expect(again).toMatchObject({ status: 409 });
  });

  it("invites a creator by email", async () => {
    const invalid = await post(
      applications.action,
      "/admin/applications",
      { intent: "invite", name: "Cy", email: "nope", campaignId },
      { owner },
    );
    expect(invalid).toMatchObject({ status: 400, data: { errors: { email: "enter a valid email address" } } });
    const invited = await post(
      applications.action,
      "/admin/applications",
      { intent: "invite", name: "Cy", email: "cy@example.com", campaignId },
      { owner },
    );
    expect(invited).toMatchObject({
      status: 200,
      data: { message: "Invited cy@example.com: the welcome mail is on its way." },
    });
    expect(shop.coupons.map((c) => c.code)).toContain("cy12");
    const application = await db.creatorApplication.findFirstOrThrow({ where: { storeId, email: "cy@example.com" } });
    expect(
      await db.creatorMail.count({ where: { storeId, kind: "welcome", dedupKey: `welcome:${application.id}` } }),
    ).toBe(1);
    expect((await deliver()).map((m) => m.to)).toEqual(["cy@example.com"]);
  });

  it("retries a code the shop refused from the creator's page, and ends codes with the campaign", async () => {
    shop.coupons.push({ id: 990, code: "eve12", discount_type: "fixed_cart", amount: "3.00", status: "publish" });
    const invited = await post(
      applications.action,
      "/admin/applications",
      { intent: "invite", name: "Eve", email: "eve@example.com", campaignId },
      { owner },
    );
    expect(invited.data).toMatchObject({ message: expect.stringContaining("already exists in your shop") });
    const code = await db.discountCode.findFirstOrThrow({ where: { storeId, code: "EVE12" } });
    expect(code.storeStatus).toBe("failed");
    const path = `/admin/creators/${code.creatorId}`;
    const stillTaken = await post(
      creator.action,
      path,
      { intent: "pushCode", codeId: code.id },
      { owner, params: { id: code.creatorId } },
    );
    expect(stillTaken.status).toBe(409);
    // The merchant deletes the other coupon in WooCommerce, then retries.
    shop.coupons.splice(
      shop.coupons.findIndex((c) => c.id === 990),
      1,
    );
    const pushed = await post(
      creator.action,
      path,
      { intent: "pushCode", codeId: code.id },
      { owner, params: { id: code.creatorId } },
    );
    expect(pushed).toMatchObject({ status: 200, data: { message: "The code is active in your shop." } });
    expect(shop.coupons.find((c) => c.code === "eve12")).toMatchObject({ amount: "12.50", status: "publish" });
    // Ending the campaign trashes every creator's coupon of it.
    const ended = await post(
      campaigns.action,
      "/admin/campaigns",
      { intent: "status", campaignId, status: "ended" },
      { owner },
    );
    expect(ended.status).toBe(200);
    expect(shop.coupons.filter((c) => c.status !== "trash")).toEqual([]);
  });

  it("keeps another store's application out of reach", async () => {
    const other = await createStore(db, { platform: "custom", domain: "other-apply.example.com" });
    await createCampaign(db, other.store.id, { name: "X" });
    const { application } = await submitApplication({ db, publicUrl: ORIGIN }, other.store.id, {
      name: "Zed",
      email: "zed@example.com",
    });
    const answer = await post(
      applications.action,
      "/admin/applications",
      { intent: "approve", applicationId: application.id },
      { owner },
    );
    expect(answer.status).toBe(404);
  });
});

describe("a Shopify shop's codes outside the embedded admin", () => {
  it("asks for write_discounts until it is granted, then creates the code with the offline token", async () => {
    const fake = createShopifyAdminFake();
    msw.use(...shopifyAdminHandlers(fake));
    const domain = "scopes-shop.myshopify.com";
    const { store } = await createStore(db, { platform: "shopify", domain, currency: "EUR" });
    const campaign = await createCampaign(db, store.id, { name: "Autumn" });
    await setCampaignOnboarding(db, store.id, campaign.id, { discountType: "percentage", discountValue: 500 });
    await db.session.create({
      data: {
        id: `offline_${domain}`,
        shop: domain,
        state: "",
        isOnline: false,
        scope: "read_orders,write_pixels,read_customer_events",
        accessToken: "shpat_scopes",
      },
    });
    expect(await lacksDiscountScope(db, store)).toBe(true);
    const deps = { db, publicUrl: ORIGIN, discounts: storeDiscountGateways(db) };
    const { application } = await submitApplication(deps, store.id, { name: "Dot", email: "dot@example.com" });
    const approved = await approveApplication(deps, store.id, application.id);
    expect(approved.problems).toEqual([expect.stringContaining("accept the updated permissions (write_discounts)")]);
    expect(fake.calls).toEqual([]);
    // The merchant accepts; app/scopes_update records the new scopes on the offline session.
    await db.session.update({
      where: { id: `offline_${domain}` },
      data: { scope: "read_orders,write_pixels,read_customer_events,write_discounts" },
    });
    expect(await lacksDiscountScope(db, store)).toBe(false);
    const code = await db.discountCode.findFirstOrThrow({ where: { storeId: store.id } });
    expect(await pushDiscountCode(db, storeDiscountGateways(db), store.id, code.id)).toEqual({
      status: "active",
      error: null,
    });
    expect(fake.calls.map((c) => c.operation)).toEqual(["trailmarkDiscountCodeBasicCreate"]);
    expect(fake.calls[0]!.variables.basicCodeDiscount).toMatchObject({
      code: "DOT5",
      customerGets: { value: { percentage: 0.05 } },
    });
  });
});
