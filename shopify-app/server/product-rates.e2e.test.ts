import { createCampaign, updateCommissionPlan } from "@trailmark/core/campaigns";
import { createCreator } from "@trailmark/core/creators";
import type { Db } from "@trailmark/core/db";
import { createConversionsHandler } from "@trailmark/core/http";
import { createInboxWorker, type InboxWorker } from "@trailmark/core/inbox";
import { createDiscountCode } from "@trailmark/core/links";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { createApiKey, createStore, updateStoreCredentials } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { createShopifyDeliveryHandler } from "@trailmark/shopify";
import { big, orderPayload, shopifyJson, webhookHeaders } from "@trailmark/shopify/testing";
import { createWooBridgeHandler, createWooDeliveryHandler } from "@trailmark/woocommerce";
import {
  fakeWooStore,
  TEST_CONSUMER_KEY,
  TEST_CONSUMER_SECRET,
  TEST_WEBHOOK_SECRET,
  wooDelivery,
  wooOrderPayload,
} from "@trailmark/woocommerce/testing";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

// A product-specific rate pays the same on every platform: one basket — a trail shoe (product 632910392) and a
// pair of socks, 10% off each, 20% tax — arrives as a signed Shopify webhook, a signed WooCommerce webhook and an
// API call. The campaign pays 10%, the shoe 20%: 54.00 × 20% + 36.00 × 10% = 10.80 + 3.60 = 14.40, and each
// commission records its split over the two lines. Deliveries go over real HTTP to the app's webhook routes and
// the bridge's endpoint, signed over their exact bytes; the inbox worker processes them as in production.

const SECRET = "product-rates-api-secret-0123456789";
const SHOE = "632910392";
const SOCK = "632910393";
const wooApi = setupServer();
let database: TestDatabase;
let db: Db;
let worker: InboxWorker;
let server: RunningServer;

beforeAll(async () => {
  wooApi.listen({ onUnhandledRequest: "bypass" });
  Object.assign(process.env, {
    SHOPIFY_API_KEY: "product-rates-api-key",
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_APP_URL: "https://trailmark.test",
  });
  database = await createTestDatabase();
  db = database.db;
  const { createShopifyAppHandler } = await import("./handler.ts");
  const shopify = await createShopifyAppHandler({ database });
  const bridge = createWooBridgeHandler({ db });
  server = await serveFetch(
    (request, ctx) =>
      new URL(request.url).pathname.startsWith("/woocommerce/") ? bridge(request, ctx) : shopify(request),
    { port: 0, host: "127.0.0.1" },
  );
  worker = createInboxWorker({
    db,
    handlers: {
      shopify: createShopifyDeliveryHandler(db, { log: () => {} }),
      woocommerce: createWooDeliveryHandler({ db }),
    },
    log: () => {},
  });
}, 300_000);
afterEach(() => wooApi.resetHandlers());
afterAll(async () => {
  wooApi.close();
  await server?.close();
  await worker?.stop();
  await database?.destroy();
});

/** A store with a 10% campaign paying 20% on the shoe, and a creator whose code ADA10 the buyer used. */
async function program(platform: "shopify" | "woocommerce" | "custom") {
  const domain = `${platform}-${Math.random().toString(36).slice(2, 8)}${platform === "shopify" ? ".myshopify.com" : ".example.com"}`;
  const { store } = await createStore(db, { platform, domain, currency: "USD" });
  if (platform === "woocommerce") {
    await updateStoreCredentials(db, store.id, {
      url: `https://${domain}`,
      consumerKey: TEST_CONSUMER_KEY,
      consumerSecret: TEST_CONSUMER_SECRET,
      webhookSecret: TEST_WEBHOOK_SECRET,
    });
  }
  const campaign = await createCampaign(db, store.id, {
    name: "Basket",
    commissionRules: { purchase: { type: "percentage", basisPoints: 1000 } },
  });
  await updateCommissionPlan(db, store.id, campaign.id, {
    productRules: [
      { target: "product", id: SHOE, rate: { type: "percentage", basisPoints: 2000 } },
      // The shoe's WooCommerce category: the product's own rate is more specific and wins.
      { target: "collection", id: "21", rate: { type: "percentage", basisPoints: 500 } },
    ],
  });
  const creator = await createCreator(db, store.id, { name: "Ada" });
  await createDiscountCode(db, store.id, { campaignId: campaign.id, creatorId: creator.id, code: "ADA10" });
  return { store, domain };
}

async function commissionOf(storeId: string) {
  const rows = await db.commission.findMany({ where: { storeId } });
  expect(rows).toHaveLength(1);
  const lines = JSON.parse(rows[0]!.lines) as { amount: number }[];
  return { amount: Number(rows[0]!.amount), currency: rows[0]!.currency, lines: lines.map((l) => l.amount) };
}

const money = (v: number) => v.toFixed(2);

function shopifyOrder(id: string) {
  const line = (lineId: string, productId: string, price: number, discount: number, tax: number) => ({
    id: big(lineId),
    product_id: big(productId),
    variant_id: big(`${productId}1`),
    price: money(price),
    price_set: { shop_money: { amount: money(price), currency_code: "USD" } },
    quantity: 1,
    gift_card: false,
    tax_lines: [{ price: money(tax), price_set: { shop_money: { amount: money(tax), currency_code: "USD" } } }],
    discount_allocations: [
      { amount: money(discount), amount_set: { shop_money: { amount: money(discount), currency_code: "USD" } } },
    ],
  });
  return orderPayload({
    id: big(id),
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    taxes_included: false,
    landing_site: "/products/trail-shoe",
    note_attributes: [],
    discount_codes: [{ code: "ADA10", amount: "10.00", type: "percentage" }],
    subtotal_price: "90.00",
    total_tax: "18.00",
    total_price: "113.00",
    line_items: [line("1001", SHOE, 60, 6, 10.8), line("1002", SOCK, 40, 4, 7.2)],
    shipping_lines: [{ price: "5.00", tax_lines: [] }],
  });
}

function wooOrder(id: number) {
  const payload = wooOrderPayload({
    id,
    currency: "USD",
    total: "113.00",
    coupons: [{ code: "ADA10", discount: "10.00" }],
  });
  return {
    ...payload,
    shipping_total: "5.00",
    total_tax: "18.00",
    line_items: [
      {
        id: 1,
        product_id: Number(SHOE),
        variation_id: 0,
        quantity: 1,
        subtotal: "60.00",
        total: "54.00",
        total_tax: "10.80",
      },
      {
        id: 2,
        product_id: Number(SOCK),
        variation_id: 0,
        quantity: 1,
        subtotal: "40.00",
        total: "36.00",
        total_tax: "7.20",
      },
    ],
    fee_lines: [],
  };
}

describe("a product-specific rate", () => {
  it("gives the same commissions for one basket through a Shopify webhook, a WooCommerce webhook and the API", async () => {
    const results: Record<string, unknown> = {};

    const shopify = await program("shopify");
    const body = shopifyJson(shopifyOrder("9301"));
    const response = await fetch(`${server.url}/webhooks/orders/paid`, {
      method: "POST",
      headers: webhookHeaders({ topic: "orders/paid", body, secret: SECRET, shop: shopify.domain }),
      body,
    });
    expect(response.status).toBe(200);
    await worker.drain();
    results.shopify = await commissionOf(shopify.store.id);

    const woo = await program("woocommerce");
    // The store's catalogue: the bridge asks for the products' categories (GET /products/{id}).
    const shop = fakeWooStore({
      url: `https://${woo.domain}`,
      currency: "USD",
      products: { [SHOE]: [21], [SOCK]: [22] },
    });
    wooApi.use(...shop.handlers);
    const delivery = wooDelivery({
      storeId: woo.store.id,
      secret: TEST_WEBHOOK_SECRET,
      topic: "order.created",
      payload: wooOrder(6301),
    });
    const wooResponse = await fetch(`${server.url}${new URL(delivery.url).pathname}`, {
      method: "POST",
      headers: delivery.headers,
      body: new Uint8Array(await delivery.arrayBuffer()),
    });
    expect(wooResponse.status).toBe(200);
    await worker.drain();
    results.woocommerce = await commissionOf(woo.store.id);
    expect(shop.requests.map((r) => r.path).sort()).toEqual([
      `/wp-json/wc/v3/products/${SHOE}`,
      `/wp-json/wc/v3/products/${SOCK}`,
    ]);

    const api = await program("custom");
    const { key } = await createApiKey(db, api.store.id, "checkout server");
    const apiResponse = await createConversionsHandler({ db })(
      new Request("https://trailmark.test/api/v1/conversions", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({
          type: "purchase",
          occurred_at: "2026-11-20T15:15:00Z",
          order_id: "api-1",
          currency: "USD",
          value: "113.00",
          discount_codes: ["ADA10"],
          items: [
            { product_id: SHOE, quantity: 1, unit_price: "60.00", discount: "6.00", tax: "10.80" },
            { product_id: SOCK, quantity: 1, unit_price: "40.00", discount: "4.00", tax: "7.20" },
          ],
        }),
      }),
    );
    expect(apiResponse.status).toBe(201);
    const answer = (await apiResponse.json()) as { commissions: { amount: number }[] };
    expect(answer.commissions.map((c) => c.amount)).toEqual([1440]);
    results.api = await commissionOf(api.store.id);

    const same = { amount: 1440, currency: "USD", lines: [1080, 360] };
    expect(results).toEqual({ shopify: same, woocommerce: same, api: same });
  });
});
