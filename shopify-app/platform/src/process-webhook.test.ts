import { randomUUID } from "node:crypto";
import type { Db } from "@trailmark/core/db";
import { enqueueDelivery } from "@trailmark/core/inbox";
import { hashEmail } from "@trailmark/core/shared";
import { createStore, findStoreByDomain } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installStore } from "./install.ts";
import { createShopifyInboxWorker } from "./process-webhook.ts";
import {
  BIG_CUSTOMER_ID,
  BIG_ORDER_ID,
  BIG_REFUND_ID,
  big,
  orderPayload,
  refundPayload,
  shopifyJson,
} from "./testing/webhooks.ts";

/** The shop's Admin GraphQL as the install calls it: the shop's details, then the web pixel's creation. */
async function shopAdmin(query: string): Promise<Response> {
  return Response.json(
    query.includes("webPixelCreate")
      ? { data: { webPixelCreate: { userErrors: [], webPixel: { id: "gid://shopify/WebPixel/1", settings: "{}" } } } }
      : { data: { shop: { name: "Early Shop", currencyCode: "USD" } } },
  );
}

let database: TestDatabase;
let db: Db;
const logs: string[] = [];
let worker: ReturnType<typeof createShopifyInboxWorker>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  worker = createShopifyInboxWorker(db, { log: (m) => logs.push(m) });
});
afterAll(async () => {
  await database.destroy();
});

async function deliver(shop: string, topic: string, body: string, headers: Record<string, string> = {}) {
  const store = await findStoreByDomain(db, "shopify", shop);
  const { id } = await enqueueDelivery(db, {
    source: "shopify",
    storeId: store?.id ?? null,
    // As the receipt stores it: the only name a delivery that came before its store has.
    shopDomain: shop,
    topic,
    dedupKey: randomUUID(),
    headers: { "x-shopify-shop-domain": shop, "x-shopify-topic": topic, ...headers },
    body: new TextEncoder().encode(body),
  });
  await worker.drain();
  return db.webhookInbox.findUniqueOrThrow({ where: { id } });
}

async function orderOf(shop: string, externalId = BIG_ORDER_ID) {
  const store = await findStoreByDomain(db, "shopify", shop);
  return db.order.findUnique({ where: { storeId_externalId: { storeId: store!.id, externalId } } });
}

describe("orders/*", () => {
  it("ingests orders/create as an order with its exact id, then follows paid and cancelled", async () => {
    const shop = "orders.myshopify.com";
    await createStore(db, { platform: "shopify", domain: shop });
    const created = await deliver(shop, "orders/create", shopifyJson(orderPayload({ financial_status: "pending" })));
    expect(created).toMatchObject({ status: "done", lastError: null });
    expect(await orderOf(shop)).toMatchObject({
      externalId: BIG_ORDER_ID,
      number: "#1001",
      status: "pending",
      currency: "USD",
      total: 8990n,
      checkoutToken: "bd5a8aa1ecd019dd3520ff791ee3a24c",
      clickIds: '["tm_AbCdEfGhIjKlMnOp","tm_QrStUvWxYz012345"]',
      discountCodes: '["JANE10"]',
      customerEmailHash: hashEmail("jane.doe@example.com"),
    });

    await deliver(shop, "orders/paid", shopifyJson(orderPayload({ updated_at: "2026-11-20T10:20:00-05:00" })));
    expect((await orderOf(shop))?.status).toBe("confirmed");

    const cancelled = orderPayload({
      cancelled_at: "2026-11-21T08:00:00-05:00",
      updated_at: "2026-11-21T08:00:00-05:00",
    });
    await deliver(shop, "orders/cancelled", shopifyJson(cancelled));
    expect((await orderOf(shop))?.status).toBe("reversed");
  });

  it("creates no store for an order that arrives before the install, and processes it once the install adopts it", async () => {
    const shop = "early.myshopify.com";
    const row = await deliver(shop, "orders/updated", shopifyJson(orderPayload()));
    expect(row).toMatchObject({ status: "failed", storeId: null, shopDomain: shop });
    expect(row.lastError).toContain("has no store yet");
    expect(await findStoreByDomain(db, "shopify", shop)).toBeNull();
    // The install creates the store and adopts what waited for it; the retry is then due at once.
    const { store } = await installStore({ db, shop, graphql: shopAdmin, appUrl: "https://trailmark.test" });
    expect(await db.webhookInbox.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      storeId: store.id,
      status: "pending",
      attempts: 0,
    });
    await worker.drain();
    expect(await db.webhookInbox.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      status: "done",
      storeId: store.id,
    });
    expect((await orderOf(shop))?.externalId).toBe(BIG_ORDER_ID);
  });

  it("keeps a payload it cannot read for a retry, with the reason", async () => {
    const row = await deliver("orders.myshopify.com", "orders/create", shopifyJson(orderPayload({ currency: 3 })));
    expect(row.status).toBe("failed");
    expect(row.lastError).toMatch(/invalid Shopify order: currency/);
  });
});

describe("refunds/create", () => {
  it("waits for its order, then adds the refund once", async () => {
    const shop = "refunds.myshopify.com";
    await createStore(db, { platform: "shopify", domain: shop, currency: "USD" });
    const early = await deliver(shop, "refunds/create", shopifyJson(refundPayload()));
    expect(early.status).toBe("failed");
    expect(early.lastError).toContain(`order ${BIG_ORDER_ID} is not known yet`);

    await deliver(shop, "orders/paid", shopifyJson(orderPayload()));
    const late = await deliver(shop, "refunds/create", shopifyJson(refundPayload()));
    expect(late.status).toBe("done");
    await deliver(shop, "refunds/create", shopifyJson(refundPayload()));
    const order = await orderOf(shop);
    expect(order?.refunded).toBe(2000n);
    expect(JSON.parse(order!.refunds)).toEqual([{ id: BIG_REFUND_ID, amount: 2000, orderAmount: 2000 }]);
  });
});

describe("app/uninstalled and app/scopes_update", () => {
  it("removes the shop's sessions and marks the store uninstalled, as often as it arrives", async () => {
    const shop = "leaving.myshopify.com";
    const { store } = await createStore(db, { platform: "shopify", domain: shop });
    await db.session.createMany({
      data: [
        { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_1" },
        { id: `${shop}_1234`, shop, state: "", accessToken: "shpat_2", isOnline: true },
        { id: "offline_other.myshopify.com", shop: "other.myshopify.com", state: "", accessToken: "shpat_3" },
      ],
    });
    const at = "2026-11-24T09:30:00.000Z";
    const first = await deliver(shop, "app/uninstalled", shopifyJson({ id: big("548380009"), domain: shop }), {
      "x-shopify-triggered-at": at,
    });
    const second = await deliver(shop, "app/uninstalled", shopifyJson({ id: big("548380009"), domain: shop }));
    expect([first.status, second.status]).toEqual(["done", "done"]);
    expect(await db.session.count({ where: { shop } })).toBe(0);
    expect(await db.session.count({ where: { shop: "other.myshopify.com" } })).toBe(1);
    const row = await db.store.findUniqueOrThrow({ where: { id: store.id } });
    expect(row.status).toBe("uninstalled");
    expect(row.uninstalledAt?.toISOString()).toBe(at);
  });

  it("records the new scopes on the shop's offline session", async () => {
    const shop = "scopes.myshopify.com";
    await db.session.create({
      data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_1", scope: "read_orders" },
    });
    const body = shopifyJson({
      id: big("1"),
      previous: ["read_orders"],
      current: ["read_orders", "write_pixels", "read_customer_events"],
    });
    expect((await deliver(shop, "app/scopes_update", body)).status).toBe("done");
    expect((await db.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } })).scope).toBe(
      "read_orders,write_pixels,read_customer_events",
    );
  });
});

describe("compliance topics", () => {
  const shop = "privacy.myshopify.com";
  const customer = { id: big(BIG_CUSTOMER_ID), email: "Jane.Doe@Example.com", phone: "+15555550100" };

  it("customers/data_request logs what is held, without the data", async () => {
    await createStore(db, { platform: "shopify", domain: shop });
    await deliver(shop, "orders/paid", shopifyJson(orderPayload()));
    logs.length = 0;
    const body = shopifyJson({
      shop_id: big("954889"),
      shop_domain: shop,
      orders_requested: [big(BIG_ORDER_ID)],
      customer,
      data_request: { id: big("9999") },
    });
    const row = await deliver(shop, "customers/data_request", body);
    expect(row.status).toBe("done");
    expect(logs.some((m) => /^data request 9999 for store st_\w+: 1 orders, 0 events, 0 visitors held$/.test(m))).toBe(
      true,
    );
    expect(logs.join()).not.toMatch(/jane/i);
  });

  it("customers/redact strips the customer from orders and empties the stored payloads that carried them", async () => {
    const body = shopifyJson({
      shop_id: big("954889"),
      shop_domain: shop,
      customer,
      orders_to_redact: [big(BIG_ORDER_ID)],
    });
    const row = await deliver(shop, "customers/redact", body);
    expect(row.status).toBe("done");
    expect(await orderOf(shop)).toMatchObject({
      customerEmailHash: null,
      customerRef: null,
      landingUrl: null,
      total: 8990n,
    });
    const store = await findStoreByDomain(db, "shopify", shop);
    const deliveries = await db.webhookInbox.findMany({ where: { storeId: store!.id } });
    const withData = deliveries.filter((d) =>
      Buffer.from(d.body).toString().toLowerCase().includes("jane.doe@example.com"),
    );
    expect(withData).toEqual([]);
    expect(
      deliveries
        .filter((d) => d.body.byteLength === 0)
        .map((d) => d.topic)
        .sort(),
    ).toEqual(["customers/data_request", "customers/redact", "orders/paid"]);
  });

  it("shop/redact deletes the store and everything in it, keeping only its own delivery", async () => {
    const store = await findStoreByDomain(db, "shopify", shop);
    const row = await deliver(shop, "shop/redact", shopifyJson({ shop_id: big("954889"), shop_domain: shop }));
    expect(row.status).toBe("done");
    expect(await findStoreByDomain(db, "shopify", shop)).toBeNull();
    expect(await db.order.count({ where: { storeId: store!.id } })).toBe(0);
    expect((await db.webhookInbox.findMany({ where: { storeId: store!.id } })).map((d) => d.topic)).toEqual([
      "shop/redact",
    ]);
    expect(await findStoreByDomain(db, "shopify", "orders.myshopify.com")).not.toBeNull();
  });

  it("shop/redact of a shop that never installed deletes the deliveries held for it, full orders included", async () => {
    const never = "never-finished.myshopify.com";
    const order = await deliver(never, "orders/create", shopifyJson(orderPayload()));
    expect(order).toMatchObject({ storeId: null, status: "failed" });
    expect(Buffer.from(order.body).toString()).toContain("1 Main St");
    const row = await deliver(never, "shop/redact", shopifyJson({ shop_id: big("954890"), shop_domain: never }));
    expect(row.status).toBe("done");
    expect(await db.webhookInbox.findUnique({ where: { id: order.id } })).toBeNull();
    expect((await db.webhookInbox.findMany({ where: { shopDomain: never } })).map((d) => d.topic)).toEqual([
      "shop/redact",
    ]);
    expect(await findStoreByDomain(db, "shopify", never)).toBeNull();
  });

  it("shop/redact of an installed shop also deletes a delivery held from before its store existed", async () => {
    const late = "late-install.myshopify.com";
    const early = await deliver(late, "orders/create", shopifyJson(orderPayload()));
    await db.webhookInbox.update({ where: { id: early.id }, data: { status: "dead" } });
    const { store } = await createStore(db, { platform: "shopify", domain: late });
    await deliver(late, "shop/redact", shopifyJson({ shop_id: big("954891"), shop_domain: late }));
    expect(await db.webhookInbox.findUnique({ where: { id: early.id } })).toBeNull();
    expect(await db.store.findUnique({ where: { id: store.id } })).toBeNull();
  });

  it("customers/redact empties the customer's deliveries held before the shop's store existed", async () => {
    const waiting = "waiting.myshopify.com";
    const order = await deliver(waiting, "orders/create", shopifyJson(orderPayload()));
    const other = await deliver(
      waiting,
      "orders/create",
      shopifyJson(
        orderPayload({
          id: big("820982911946150001"),
          admin_graphql_api_id: "gid://shopify/Order/820982911946150001",
          email: "someone@else.com",
          contact_email: "someone@else.com",
          customer: null,
        }),
      ),
    );
    const body = shopifyJson({ shop_domain: waiting, customer, orders_to_redact: [big(BIG_ORDER_ID)] });
    expect((await deliver(waiting, "customers/redact", body)).status).toBe("done");
    const redacted = await db.webhookInbox.findUniqueOrThrow({ where: { id: order.id } });
    expect(redacted).toMatchObject({ status: "done", lastError: "redacted before processing" });
    expect(redacted.body.byteLength).toBe(0);
    expect((await db.webhookInbox.findUniqueOrThrow({ where: { id: other.id } })).body.byteLength).toBeGreaterThan(0);
  });

  it("answers compliance requests for a shop it holds nothing for", async () => {
    const unknown = "never-installed.myshopify.com";
    const request = shopifyJson({ shop_domain: unknown, customer, orders_requested: [], data_request: { id: 1 } });
    expect((await deliver(unknown, "customers/data_request", request)).status).toBe("done");
    expect((await deliver(unknown, "customers/redact", shopifyJson({ shop_domain: unknown, customer }))).status).toBe(
      "done",
    );
    expect((await deliver(unknown, "shop/redact", shopifyJson({ shop_domain: unknown }))).status).toBe("done");
  });
});

it("acknowledges a topic it does not handle", async () => {
  logs.length = 0;
  const row = await deliver("orders.myshopify.com", "products/update", "{}");
  expect(row.status).toBe("done");
  expect(logs.join()).toContain("topic products/update is not handled");
});
