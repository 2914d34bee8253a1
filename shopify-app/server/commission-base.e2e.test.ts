import { createCampaign } from "@trailmark/core/campaigns";
import { createCreator } from "@trailmark/core/creators";
import type { Db } from "@trailmark/core/db";
import { createConversionsHandler } from "@trailmark/core/http";
import { createInboxWorker, type InboxWorker } from "@trailmark/core/inbox";
import { createDiscountCode } from "@trailmark/core/links";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { createApiKey, createStore, updateStoreCredentials } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { createShopifyDeliveryHandler } from "@trailmark/shopify";
import { big, orderPayload, refundPayload, shopifyJson, webhookHeaders } from "@trailmark/shopify/testing";
import { createWooBridgeHandler, createWooDeliveryHandler } from "@trailmark/woocommerce";
import {
  fakeWooStore,
  TEST_CONSUMER_KEY,
  TEST_CONSUMER_SECRET,
  TEST_WEBHOOK_SECRET,
  wooDelivery,
  wooOrderPayload,
  wooRefundPayload,
} from "@trailmark/woocommerce/testing";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

// One commission base on every platform (core/src/orders/commission-base.ts): the same basket — two items,
// a 10% discount, shipping, 20% tax and a fee — pays the same commission whether it arrives as a signed
// Shopify webhook (taxes excluded or included in prices), a signed WooCommerce webhook (prices_include_tax
// false or true) or a server-to-server API call. The base is the items after discounts without tax:
// (60.00 + 40.00) − 10% = 90.00, so a 10% campaign pays 9.00; on the "order total" base it pays 11.50.
// Shopify's deliveries go over real HTTP to the built app's webhook routes, WooCommerce's to the bridge's
// endpoint (both on one loopback server), signed over their exact bytes; the inbox worker then does what it
// does in production.

const SECRET = "commission-base-api-secret-0123456789";
// The WooCommerce stores' REST API (refunds' line items), from WooCommerce's documented shapes; loopback
// requests to the app itself pass through.
const wooApi = setupServer();
let database: TestDatabase;
let db: Db;
let worker: InboxWorker;
let server: RunningServer;

beforeAll(async () => {
  wooApi.listen({ onUnhandledRequest: "bypass" });
  Object.assign(process.env, {
    SHOPIFY_API_KEY: "commission-base-api-key",
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

type Base = "items" | "order_total";

/** A store on `platform` with a 10% campaign on `base` and a creator whose code ADA10 the buyer used. */
async function program(platform: "shopify" | "woocommerce" | "custom", base: Base, options = { restKeys: true }) {
  const domain = `${platform}-${Math.random().toString(36).slice(2, 8)}${platform === "shopify" ? ".myshopify.com" : ".example.com"}`;
  const { store } = await createStore(db, { platform, domain, currency: "USD" });
  if (platform === "woocommerce") {
    await updateStoreCredentials(db, store.id, {
      url: `https://${domain}`,
      ...(options.restKeys ? { consumerKey: TEST_CONSUMER_KEY, consumerSecret: TEST_CONSUMER_SECRET } : {}),
      webhookSecret: TEST_WEBHOOK_SECRET,
    });
  }
  const campaign = await createCampaign(db, store.id, {
    name: "Basket",
    commissionRules: { purchase: { type: "percentage", basisPoints: 1000 } },
    commissionBase: base,
  });
  const creator = await createCreator(db, store.id, { name: "Ada" });
  await createDiscountCode(db, store.id, { campaignId: campaign.id, creatorId: creator.id, code: "ADA10" });
  return { store, domain };
}

async function commissionOf(storeId: string) {
  const rows = await db.commission.findMany({ where: { storeId } });
  expect(rows).toHaveLength(1);
  return { amount: Number(rows[0]!.amount), currency: rows[0]!.currency };
}

const money = (v: number) => v.toFixed(2);

// The basket, tax excluded: items 60.00 and 40.00, 10% off (6.00 and 4.00), 20% tax on the discounted items
// (18.00), shipping 5.00 (untaxed), a 2.00 fee: total 115.00.
function shopifyOrder(taxesIncluded: boolean, id: string) {
  const gross = (net: number) => (taxesIncluded ? net * 1.2 : net);
  const line = (lineId: string, price: number, discount: number, tax: number) => ({
    id: big(lineId),
    price: money(gross(price)),
    price_set: { shop_money: { amount: money(gross(price)), currency_code: "USD" } },
    quantity: 1,
    gift_card: false,
    taxable: true,
    tax_lines: [
      {
        price: money(tax),
        rate: 0.2,
        title: "VAT",
        price_set: { shop_money: { amount: money(tax), currency_code: "USD" } },
      },
    ],
    discount_allocations: [
      {
        amount: money(gross(discount)),
        amount_set: { shop_money: { amount: money(gross(discount)), currency_code: "USD" } },
      },
    ],
  });
  const subtotal = gross(90);
  const total = taxesIncluded ? subtotal + 5 + 2 : subtotal + 18 + 5 + 2;
  return orderPayload({
    id: big(id),
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    taxes_included: taxesIncluded,
    landing_site: "/products/trail-shoe",
    note_attributes: [],
    discount_codes: [{ code: "ADA10", amount: money(gross(10)), type: "percentage" }],
    subtotal_price: money(subtotal),
    subtotal_price_set: { shop_money: { amount: money(subtotal), currency_code: "USD" } },
    total_tax: "18.00",
    total_tax_set: { shop_money: { amount: "18.00", currency_code: "USD" } },
    total_price: money(total),
    total_price_set: { shop_money: { amount: money(total), currency_code: "USD" } },
    line_items: [line("1001", 60, 6, 10.8), line("1002", 40, 4, 7.2)],
    shipping_lines: [{ price: "5.00", tax_lines: [] }],
  });
}

async function deliverShopify(shop: string, topic: string, payload: Record<string, unknown>) {
  const body = shopifyJson(payload);
  const response = await fetch(`${server.url}/webhooks/${topic}`, {
    method: "POST",
    headers: webhookHeaders({ topic, body, secret: SECRET, shop }),
    body,
  });
  expect(response.status).toBe(200);
  await worker.drain();
}

function wooOrder(pricesIncludeTax: boolean, id: number) {
  const payload = wooOrderPayload({
    id,
    currency: "USD",
    total: "115.00",
    coupons: [{ code: "ADA10", discount: "10.00" }],
  });
  // WooCommerce keeps line totals after discounts and without tax in both modes; only the entered prices differ.
  return {
    ...payload,
    prices_include_tax: pricesIncludeTax,
    discount_total: "10.00",
    discount_tax: "2.00",
    shipping_total: "5.00",
    shipping_tax: "0.00",
    cart_tax: "18.00",
    total_tax: "18.00",
    line_items: [
      {
        id: 1,
        name: "Shoe",
        quantity: 1,
        subtotal: "60.00",
        subtotal_tax: "12.00",
        total: "54.00",
        total_tax: "10.80",
      },
      { id: 2, name: "Sock", quantity: 1, subtotal: "40.00", subtotal_tax: "8.00", total: "36.00", total_tax: "7.20" },
    ],
    fee_lines: [{ id: 3, name: "Handling", total: "2.00", total_tax: "0.00" }],
  };
}

async function deliverWoo(storeId: string, payload: unknown, topic = "order.created") {
  const delivery = wooDelivery({ storeId, secret: TEST_WEBHOOK_SECRET, topic, payload });
  const response = await fetch(`${server.url}${new URL(delivery.url).pathname}`, {
    method: "POST",
    headers: delivery.headers,
    body: new Uint8Array(await delivery.arrayBuffer()),
  });
  expect(response.status).toBe(200);
  await worker.drain();
}

async function postApi(storeId: string, body: Record<string, unknown>) {
  const { key } = await createApiKey(db, storeId, "checkout server");
  const response = await createConversionsHandler({ db })(
    new Request("https://trailmark.test/api/v1/conversions", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({
        type: "purchase",
        occurred_at: "2026-11-20T15:15:00Z",
        order_id: "api-1",
        currency: "USD",
        value: "115.00",
        discount_codes: ["ADA10"],
        ...body,
      }),
    }),
  );
  expect(response.status).toBe(201);
}

describe("the commission base", () => {
  it.each([
    ["items", 900],
    ["order_total", 1150],
  ] as const)("is the same for one basket on Shopify, WooCommerce and the API (%s base)", async (base, expected) => {
    const results: Record<string, { amount: number; currency: string }> = {};
    for (const taxesIncluded of [false, true]) {
      const { store, domain } = await program("shopify", base);
      await deliverShopify(domain, "orders/paid", shopifyOrder(taxesIncluded, taxesIncluded ? "9002" : "9001"));
      results[`shopify taxes_included=${taxesIncluded}`] = await commissionOf(store.id);
    }
    for (const pricesIncludeTax of [false, true]) {
      const { store } = await program("woocommerce", base);
      await deliverWoo(store.id, wooOrder(pricesIncludeTax, pricesIncludeTax ? 5002 : 5001));
      results[`woocommerce prices_include_tax=${pricesIncludeTax}`] = await commissionOf(store.id);
    }
    for (const pricesIncludeTax of [false, true]) {
      const { store } = await program("custom", base);
      await postApi(store.id, {
        items_total: pricesIncludeTax ? "108.00" : "90.00",
        items_tax: "18.00",
        prices_include_tax: pricesIncludeTax,
      });
      results[`api prices_include_tax=${pricesIncludeTax}`] = await commissionOf(store.id);
    }
    const same = { amount: expected, currency: "USD" };
    expect(results).toEqual({
      "shopify taxes_included=false": same,
      "shopify taxes_included=true": same,
      "woocommerce prices_include_tax=false": same,
      "woocommerce prices_include_tax=true": same,
      "api prices_include_tax=false": same,
      "api prices_include_tax=true": same,
    });
  });

  it.each([false, true])(
    "takes a Shopify refund of one item off by that item's share of the base (taxes_included=%s)",
    async (taxesIncluded) => {
      const { store, domain } = await program("shopify", "items");
      const id = taxesIncluded ? "9102" : "9101";
      await deliverShopify(domain, "orders/paid", shopifyOrder(taxesIncluded, id));
      // The sock (36.00 after its discount, 7.20 tax) comes back with its tax: 36.00 of the 90.00 base.
      const sock = taxesIncluded ? "43.20" : "36.00";
      const refund = refundPayload({
        order_id: big(id),
        refund_line_items: [
          {
            quantity: 1,
            subtotal: sock,
            subtotal_set: { shop_money: { amount: sock, currency_code: "USD" } },
            total_tax: "7.20",
            total_tax_set: { shop_money: { amount: "7.20", currency_code: "USD" } },
            line_item: { gift_card: false },
          },
        ],
        transactions: [{ kind: "refund", status: "success", amount: "43.20", currency: "USD" }],
      });
      const updated = shopifyOrder(taxesIncluded, id);
      await deliverShopify(domain, "orders/updated", {
        ...updated,
        financial_status: "partially_refunded",
        updated_at: "2026-11-22T09:00:00-05:00",
        refunds: [refund],
      });
      expect(await commissionOf(store.id)).toMatchObject({ amount: 540 });
    },
  );

  // refunds/create carries the refund alone: nothing in it says whether the shop's prices include tax, so the
  // order's taxes_included is kept with the order when it is ingested.
  it.each([false, true])(
    "takes a Shopify refunds/create of one item off by its tax-free amount before any orders/updated (taxes_included=%s)",
    async (taxesIncluded) => {
      const { store, domain } = await program("shopify", "items");
      const id = taxesIncluded ? "9202" : "9201";
      await deliverShopify(domain, "orders/paid", shopifyOrder(taxesIncluded, id));
      expect(await commissionOf(store.id)).toMatchObject({ amount: 900 });
      // The sock's subtotal is 36.00 after its discount, 43.20 with its 7.20 tax where prices include it.
      const sock = taxesIncluded ? "43.20" : "36.00";
      await deliverShopify(
        domain,
        "refunds/create",
        refundPayload({
          order_id: big(id),
          refund_line_items: [
            {
              id: big("866550311766439020"),
              quantity: 1,
              line_item_id: big("1002"),
              location_id: big("24826418"),
              restock_type: "return",
              subtotal: Number(sock),
              subtotal_set: {
                shop_money: { amount: sock, currency_code: "USD" },
                presentment_money: { amount: sock, currency_code: "USD" },
              },
              total_tax: 7.2,
              total_tax_set: {
                shop_money: { amount: "7.20", currency_code: "USD" },
                presentment_money: { amount: "7.20", currency_code: "USD" },
              },
              line_item: { id: big("1002"), gift_card: false, taxable: true, quantity: 1 },
            },
          ],
          transactions: [{ kind: "refund", status: "success", amount: "43.20", currency: "USD", gateway: "bogus" }],
        }),
      );
      expect(await commissionOf(store.id)).toMatchObject({ amount: 540 });
    },
  );

  // The sock: 40.00 less its 10% discount is 36.00 without tax, 7.20 tax; the customer gets 43.20 back. Its
  // exact share of the 90.00 base is 36.00, leaving 54.00 (5.40 commission); a share of the money returned
  // (43.20 of 115.00) would leave 56.19 (5.62).
  it.each([false, true])(
    "takes a partial WooCommerce refund of one item off by exactly that item (prices_include_tax=%s)",
    async (pricesIncludeTax) => {
      const { store, domain } = await program("woocommerce", "items");
      const id = pricesIncludeTax ? 5102 : 5101;
      await deliverWoo(store.id, wooOrder(pricesIncludeTax, id));
      expect(await commissionOf(store.id)).toMatchObject({ amount: 900 });
      const woo = fakeWooStore({
        url: `https://${domain}`,
        currency: "USD",
        refunds: {
          [id]: [
            wooRefundPayload({
              id: 7301,
              orderId: id,
              amount: "43.20",
              reason: "Wrong size",
              lines: [{ itemId: 2, name: "Sock", quantity: 1, total: "36.00", tax: "7.20" }],
              storeUrl: `https://${domain}`,
            }),
          ],
        },
      });
      wooApi.use(...woo.handlers);
      // WooCommerce fires order.updated for the refund; the order lists it only as {id, reason, total}.
      await deliverWoo(
        store.id,
        {
          ...wooOrder(pricesIncludeTax, id),
          date_modified_gmt: "2024-11-22T09:00:01",
          refunds: [{ id: 7301, reason: "Wrong size", total: "-43.20" }],
        },
        "order.updated",
      );
      expect(await commissionOf(store.id)).toMatchObject({ amount: 540 });
      expect(woo.requests.map((r) => r.path)).toEqual([`/wp-json/wc/v3/orders/${id}/refunds`]);
      // A refund never changes: the order's next delivery does not ask again.
      await deliverWoo(
        store.id,
        {
          ...wooOrder(pricesIncludeTax, id),
          status: "completed",
          date_modified_gmt: "2024-11-23T09:00:00",
          refunds: [{ id: 7301, reason: "Wrong size", total: "-43.20" }],
        },
        "order.updated",
      );
      expect(await commissionOf(store.id)).toMatchObject({ amount: 540 });
      expect(woo.requests).toHaveLength(1);
    },
  );

  it("takes nothing off the items base for a WooCommerce refund of shipping only", async () => {
    const { store, domain } = await program("woocommerce", "items");
    await deliverWoo(store.id, wooOrder(false, 5103));
    const woo = fakeWooStore({
      url: `https://${domain}`,
      currency: "USD",
      refunds: {
        5103: [wooRefundPayload({ id: 7302, orderId: 5103, amount: "5.00", shipping: [{ itemId: 4, total: "5.00" }] })],
      },
    });
    wooApi.use(...woo.handlers);
    await deliverWoo(
      store.id,
      { ...wooOrder(false, 5103), date_modified_gmt: "2024-11-22T09:00:01", refunds: [{ id: 7302, total: "-5.00" }] },
      "order.updated",
    );
    expect(await commissionOf(store.id)).toMatchObject({ amount: 900 });
  });

  it("takes the refund's proportional share for a WooCommerce store without REST keys", async () => {
    const { store } = await program("woocommerce", "items", { restKeys: false });
    await deliverWoo(store.id, wooOrder(false, 5104));
    await deliverWoo(
      store.id,
      { ...wooOrder(false, 5104), date_modified_gmt: "2024-11-22T09:00:01", refunds: [{ id: 7303, total: "-43.20" }] },
      "order.updated",
    );
    // 90.00 × 43.20 / 115.00 = 33.81 off: 56.19 left, 5.62 commission.
    expect(await commissionOf(store.id)).toMatchObject({ amount: 562 });
  });
});
