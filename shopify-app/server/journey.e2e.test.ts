import { createCampaign } from "@trailmark/core/campaigns";
import { approveDueCommissions } from "@trailmark/core/conversions";
import { createCreator } from "@trailmark/core/creators";
import type { Db } from "@trailmark/core/db";
import { createTrackingApp, type TrackingApp } from "@trailmark/core/http";
import { createInboxWorker, type InboxWorker } from "@trailmark/core/inbox";
import { createLink, type TrackingLink } from "@trailmark/core/links";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { createStore, type Store } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { buildPixelBundle, checkoutCompleted, pageViewed, runPixel } from "@trailmark/pixel/test-harness";
import { createShopifyDeliveryHandler } from "@trailmark/shopify";
import { big, orderPayload, refundPayload, shopifyJson, webhookHeaders } from "@trailmark/shopify/testing";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The whole Shopify journey over real HTTP on loopback, against one server composed as scripts/start.ts composes
// it (the tracking routes first, then the built Shopify app) with the real inbox worker: a creator's link is
// clicked, the built web pixel (in the simulated strict sandbox) reports the landing and the completed checkout
// to /collect, Shopify's signed order and refund webhooks go into the inbox, and the worker turns them into an
// attributed order whose commission follows the order: pending, held after payment, reduced pro rata by a refund.

const SECRET = "journey-api-secret-0123456789";
const SHOP = "journey-shop.myshopify.com";
const STOREFRONT = `https://${SHOP}`;
const DAY = 86_400_000;
const BROWSER =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

// Nothing in the journey may leave loopback (no Admin API call, no token exchange).
const mswServer = setupServer();
let database: TestDatabase;
let db: Db;
let tracking: TrackingApp;
let worker: InboxWorker;
let server: RunningServer;
let bundle = "";
let store: Store;
let campaignId = "";
let ada: { creatorId: string; link: TrackingLink };
let ben: { creatorId: string; link: TrackingLink };
const workerLog: string[] = [];

beforeAll(async () => {
  Object.assign(process.env, {
    SHOPIFY_API_KEY: "journey-api-key",
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_APP_URL: "https://trailmark.test",
  });
  mswServer.listen({
    onUnhandledRequest(request, print) {
      if (new URL(request.url).hostname !== "127.0.0.1") print.error();
    },
  });
  database = await createTestDatabase();
  db = database.db;
  bundle = (await buildPixelBundle()).code;

  // As scripts/start.ts: tracking app, inbox worker with the Shopify handler, Shopify app; tracking routes first.
  tracking = createTrackingApp({ database });
  await tracking.start();
  worker = createInboxWorker({
    db,
    handlers: { shopify: createShopifyDeliveryHandler(db, { log: (m) => workerLog.push(m) }) },
    log: (m) => workerLog.push(m),
  });
  const { createShopifyAppHandler } = await import("./handler.ts");
  const shopify = await createShopifyAppHandler({ database });
  server = await serveFetch((request, ctx) => tracking.route(request, ctx) ?? shopify(request), {
    port: 0,
    host: "127.0.0.1",
  });

  store = (await createStore(db, { platform: "shopify", domain: SHOP, name: "Journey Shop", currency: "USD" })).store;
  const campaign = await createCampaign(db, store.id, {
    name: "Autumn trail",
    commissionRules: { purchase: { type: "percentage", basisPoints: 1000 } },
    holdingDays: 30,
  });
  campaignId = campaign.id;
  const enrol = async (name: string, email: string) => {
    const creator = await createCreator(db, store.id, { name, email });
    const link = await createLink(db, store.id, {
      campaignId,
      creatorId: creator.id,
      destinationUrl: `${STOREFRONT}/products/trail-shoe`,
    });
    return { creatorId: creator.id, link };
  };
  ada = await enrol("Ada", "ada@creators.example");
  ben = await enrol("Ben", "ben@creators.example");
}, 300_000);

afterAll(async () => {
  await server?.close();
  await worker?.stop();
  await tracking?.stop();
  mswServer.close();
  await database?.destroy();
});

// ---------------------------------------------------------------------------------------------------------------

/** A visitor's click on a creator's link, as a browser makes it: the 302 and the click id it carries. */
async function click(link: TrackingLink): Promise<{ landing: string; clickId: string }> {
  const response = await fetch(`${server.url}/c/${link.code}`, {
    redirect: "manual",
    headers: { "user-agent": BROWSER, accept: "text/html" },
  });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("location")!);
  expect(location.origin + location.pathname).toBe(`${STOREFRONT}/products/trail-shoe`);
  const clickId = location.searchParams.get("tm_click");
  expect(clickId).toMatch(/^tm_[0-9A-Za-z]{16}$/);
  return { landing: location.toString(), clickId: clickId! };
}

/** The built pixel, configured as the app's install configures it, in a fresh strict sandbox. */
function pixel() {
  return runPixel({
    bundle,
    shop: STOREFRONT,
    settings: { accountID: store.id, collectorUrl: `${server.url}/collect` },
  });
}

let eventSeq = 0;

/** Sends a webhook as Shopify does (exact bytes, signed), expects 200, then lets the worker process the inbox. */
async function deliver(topic: string, payload: Record<string, unknown>): Promise<void> {
  const body = shopifyJson(payload);
  const eventId = `journey-evt-${++eventSeq}`;
  const response = await fetch(`${server.url}/webhooks/${topic}`, {
    method: "POST",
    body,
    headers: webhookHeaders({ topic, body, secret: SECRET, shop: SHOP, eventId }),
  });
  expect(response.status, topic).toBe(200);
  await worker.drain();
  const row = await db.webhookInbox.findUniqueOrThrow({
    where: { source_dedupKey: { source: "shopify", dedupKey: eventId } },
  });
  expect(row.status, row.lastError ?? "").toBe("done");
}

/** A Shopify order with no click id of its own: no tm_click in landing_site, none in note attributes. */
function order(id: string, token: string, at: Date, overrides: Record<string, unknown> = {}) {
  return orderPayload({
    id: big(id),
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id.slice(-4)}`,
    checkout_token: token,
    landing_site: "/products/trail-shoe?utm_source=instagram",
    note_attributes: [{ name: "gift_wrap", value: "yes" }],
    discount_codes: [],
    created_at: at.toISOString(),
    processed_at: at.toISOString(),
    updated_at: at.toISOString(),
    refunds: [],
    ...overrides,
  });
}

/** The sample's one line at another price (its 9.99 discount and 5.00 tax kept): lines add up to the subtotal. */
function itemsOf(price: string) {
  const [line] = orderPayload().line_items as Record<string, unknown>[];
  return { ...line, price };
}

async function orderRow(externalId: string) {
  return db.order.findUniqueOrThrow({ where: { storeId_externalId: { storeId: store.id, externalId } } });
}

/** The order's conversion status and its commissions, as [creator, status, amount, original]. */
async function commissionsOf(externalId: string) {
  const conversion = await db.conversion.findUniqueOrThrow({
    where: { storeId_sourceKey: { storeId: store.id, sourceKey: `order:${externalId}` } },
  });
  const commissions = await db.commission.findMany({ where: { conversionId: conversion.id } });
  return {
    status: conversion.status,
    commissions: commissions.map((c) => ({
      creatorId: c.creatorId,
      campaignId: c.campaignId,
      status: c.status,
      amount: Number(c.amount),
      original: Number(c.original),
      holdUntil: c.holdUntil.getTime(),
    })),
  };
}

async function storedEvents(visitor: string) {
  const row = await db.visitor.findUniqueOrThrow({
    where: { storeId_externalId: { storeId: store.id, externalId: visitor } },
  });
  const events = await db.event.findMany({ where: { storeId: store.id, visitorId: row.id } });
  return events
    .sort((a, b) => (a.type === b.type ? 0 : a.type === "page_view" ? -1 : 1))
    .map((e) => ({
      type: e.type,
      source: e.source,
      clickIds: JSON.parse(e.clickIds) as string[],
      checkoutToken: e.checkoutToken,
      orderRef: e.orderRef,
      value: e.value === null ? null : Number(e.value),
      currency: e.currency,
    }));
}

// ---------------------------------------------------------------------------------------------------------------

describe("the Shopify journey", () => {
  it("click → pixel → orders/create → orders/paid → refunds/create: attributed, held, reduced pro rata", async () => {
    const ORDER = "820982911946154508";
    const TOKEN = "bd5a8aa1ecd019dd3520ff791ee3a24c";
    const VISITOR = "0b7e1c52-journey-visitor-1";

    // (a) The visitor clicks Ben's link.
    const { landing, clickId } = await click(ben.link);
    expect(await db.click.findUniqueOrThrow({ where: { id: clickId } })).toMatchObject({
      storeId: store.id,
      campaignId,
      creatorId: ben.creatorId,
      qualification: "qualified",
    });

    // (b) The pixel sees the landing page, then the completed checkout (subtotal 89.90, total 99.85 USD).
    const browser = pixel();
    await browser.emit("page_viewed", pageViewed({ href: landing, at: Date.now(), clientId: VISITOR }));
    await browser.emit(
      "checkout_completed",
      checkoutCompleted({
        at: Date.now(),
        clientId: VISITOR,
        shop: STOREFRONT,
        token: TOKEN,
        orderId: `gid://shopify/OrderIdentity/${ORDER}`,
        currency: "USD",
        subtotal: 89.9,
        total: 99.85,
        tax: 9.95,
      }),
    );
    expect(browser.fetchCalls.map((c) => c.url)).toEqual([`${server.url}/collect`, `${server.url}/collect`]);
    await tracking.idle();
    expect(await storedEvents(VISITOR)).toEqual([
      {
        type: "page_view",
        source: "pixel",
        clickIds: [clickId],
        checkoutToken: null,
        orderRef: null,
        value: null,
        currency: null,
      },
      {
        type: "purchase",
        source: "pixel",
        clickIds: [clickId],
        checkoutToken: TOKEN,
        orderRef: ORDER,
        value: 9985,
        currency: "USD",
      },
    ]);

    // (c) orders/create, still only authorized: the order carries no click id, so the click reaches it only
    // through the pixel's purchase event (joined by checkout token). 10% of the 89.90 subtotal, pending.
    const placedAt = new Date();
    await deliver("orders/create", order(ORDER, TOKEN, placedAt, { financial_status: "authorized" }));
    expect(await orderRow(ORDER)).toMatchObject({
      status: "pending",
      total: 8990n,
      refunded: 0n,
      checkoutToken: TOKEN,
      clickIds: "[]",
    });
    const pending = {
      creatorId: ben.creatorId,
      campaignId,
      status: "pending",
      amount: 899,
      original: 899,
      holdUntil: placedAt.getTime() + 30 * DAY,
    };
    expect(await commissionsOf(ORDER)).toEqual({ status: "attributed", commissions: [pending] });

    // (d) orders/paid: the order is confirmed, but the commission is held for 30 days: still pending, same amount,
    // and the approval sweep leaves it alone.
    await deliver(
      "orders/paid",
      order(ORDER, TOKEN, placedAt, {
        financial_status: "paid",
        updated_at: new Date(placedAt.getTime() + 60_000).toISOString(),
      }),
    );
    expect(await orderRow(ORDER)).toMatchObject({ status: "confirmed", total: 8990n });
    expect(await commissionsOf(ORDER)).toEqual({ status: "attributed", commissions: [pending] });
    expect(await approveDueCommissions(db, new Date(), store.id)).toBe(0);

    // (e) refunds/create for 33.33 of the 89.90 (a failed transaction does not count): 899 × 56.57 / 89.90 =
    // 565.70, rounded half up to 566.
    await deliver(
      "refunds/create",
      refundPayload({
        order_id: big(ORDER),
        created_at: new Date(placedAt.getTime() + 2 * DAY).toISOString(),
        transactions: [
          { id: big("389404469123456789"), amount: "33.33", currency: "USD", kind: "refund", status: "success" },
          { id: big("389404469123456790"), amount: "5.00", currency: "USD", kind: "refund", status: "failure" },
        ],
      }),
    );
    expect(await orderRow(ORDER)).toMatchObject({ status: "confirmed", total: 8990n, refunded: 3333n });
    const reduced = { ...pending, amount: 566 };
    expect(await commissionsOf(ORDER)).toEqual({ status: "attributed", commissions: [reduced] });

    // Once the hold has passed, the sweep approves what is left.
    expect(await approveDueCommissions(db, new Date(placedAt.getTime() + 30 * DAY), store.id)).toBe(1);
    expect(await commissionsOf(ORDER)).toEqual({
      status: "attributed",
      commissions: [{ ...reduced, status: "approved" }],
    });
    expect(workerLog).toEqual([]);
  });

  it("re-attributes the order when the pixel's checkout_completed arrives after orders/create", async () => {
    const ORDER = "820982911946160001";
    const TOKEN = "c7f3e9a0b1d24c5e8f6a7b8c9d0e1f2a";
    const VISITOR = "5d2a7f90-journey-visitor-2";

    const { landing, clickId } = await click(ada.link);
    const browser = pixel();
    await browser.emit("page_viewed", pageViewed({ href: landing, at: Date.now(), clientId: VISITOR }));
    await tracking.idle();

    // The webhook comes first: the order carries no click id and no browser event names its checkout yet.
    const placedAt = new Date();
    await deliver(
      "orders/create",
      order(ORDER, TOKEN, placedAt, {
        financial_status: "paid",
        subtotal_price: "120.00",
        total_price: "131.50",
        current_subtotal_price: "120.00",
        line_items: [itemsOf("129.99")],
        current_total_price: "131.50",
        email: "sam@example.com",
        contact_email: "sam@example.com",
        customer: { id: big("115310627314799999"), email: "sam@example.com" },
      }),
    );
    expect(await orderRow(ORDER)).toMatchObject({ status: "confirmed", total: 12000n, clickIds: "[]" });
    expect(await commissionsOf(ORDER)).toEqual({ status: "unattributed", commissions: [] });

    // The thank-you page's checkout_completed arrives: the collector joins it to the stored order and
    // attributes it to Ada, whose link the visitor clicked.
    await browser.emit(
      "checkout_completed",
      checkoutCompleted({
        at: placedAt.getTime(),
        clientId: VISITOR,
        shop: STOREFRONT,
        token: TOKEN,
        orderId: `gid://shopify/OrderIdentity/${ORDER}`,
        currency: "USD",
        subtotal: 120,
        total: 131.5,
      }),
    );
    await tracking.idle();
    expect(await storedEvents(VISITOR)).toEqual([
      expect.objectContaining({ type: "page_view", clickIds: [clickId] }),
      expect.objectContaining({ type: "purchase", clickIds: [clickId], checkoutToken: TOKEN, orderRef: ORDER }),
    ]);
    expect(await commissionsOf(ORDER)).toEqual({
      status: "attributed",
      commissions: [
        {
          creatorId: ada.creatorId,
          campaignId,
          status: "pending",
          amount: 1200,
          original: 1200,
          holdUntil: placedAt.getTime() + 30 * DAY,
        },
      ],
    });
    // Replaying the webhook changes nothing.
    await deliver(
      "orders/create",
      order(ORDER, TOKEN, placedAt, {
        financial_status: "paid",
        subtotal_price: "120.00",
        total_price: "131.50",
        line_items: [itemsOf("129.99")],
        email: "sam@example.com",
        customer: { id: big("115310627314799999"), email: "sam@example.com" },
      }),
    );
    expect((await commissionsOf(ORDER)).commissions.map((c) => [c.creatorId, c.status, c.amount])).toEqual([
      [ada.creatorId, "pending", 1200],
    ]);
    expect(workerLog).toEqual([]);
  });
});
