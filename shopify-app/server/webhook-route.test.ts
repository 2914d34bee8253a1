import type { Db } from "@trailmark/core/db";
import { createInboxRecorder, type InboxRecorder, type InboxWriter, openInboxWriter } from "@trailmark/core/inbox";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { createStore } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { orderPayload, shopifyJson, TEST_SHOP, webhookHeaders } from "@trailmark/shopify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shopifyWebhookRoute } from "./webhook-route.ts";

// Shopify's webhook receipt as npm start serves it: a node:http route in front of the app, over real HTTP with
// deliveries signed byte for byte. The app behind it (Remix) must never be reached by a delivery.

const SECRET = "test-api-secret-0123456789";
let database: TestDatabase;
let db: Db;
let server: RunningServer;
let recorder: InboxRecorder;
const groups: number[] = [];
let behindReached = 0;

beforeAll(async () => {
  process.env.SHOPIFY_API_SECRET = SECRET;
  database = await createTestDatabase();
  db = database.db;
  const writer = openInboxWriter(database);
  const counting: InboxWriter = {
    write(rows) {
      groups.push(rows.length);
      return writer.write(rows);
    },
    close: () => writer.close(),
  };
  recorder = createInboxRecorder({ writer: counting, provider: database.provider });
  server = await serveFetch(
    async () => {
      behindReached++;
      return new Response("the app", { status: 200 });
    },
    { port: 0, host: "127.0.0.1", nodeRoutes: [shopifyWebhookRoute(db, recorder)] },
  );
});

afterAll(async () => {
  await server?.close();
  await recorder?.close();
  await database?.destroy();
});

function post(path: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: "POST", body, headers });
}

function send(path: string, topic: string, body: string, options: { eventId?: string; shop?: string } = {}) {
  return post(path, body, webhookHeaders({ topic, body, secret: SECRET, ...options }));
}

const body = shopifyJson(orderPayload());

describe("Shopify webhook receipt", () => {
  it("stores a signed delivery's exact bytes, tagged with its store, and answers 200 without the app", async () => {
    const { store } = await createStore(db, { platform: "shopify", domain: TEST_SHOP });
    const response = await send("/webhooks/orders/create", "orders/create", body, { eventId: "evt-1" });
    expect(response.status).toBe(200);
    const row = await db.webhookInbox.findUniqueOrThrow({
      where: { source_dedupKey: { source: "shopify", dedupKey: "evt-1" } },
    });
    expect(row).toMatchObject({
      storeId: store.id,
      shopDomain: TEST_SHOP,
      topic: "orders/create",
      status: "pending",
      attempts: 0,
    });
    expect(Buffer.from(row.body).equals(Buffer.from(body, "utf8"))).toBe(true);
    const headers = JSON.parse(row.headers) as Record<string, string>;
    expect(headers["x-shopify-shop-domain"]).toBe(TEST_SHOP);
    expect(headers["x-shopify-hmac-sha256"]).toBeUndefined();
    expect(row.nextAttemptAt.getTime()).toBe(row.receivedAt.getTime());
    expect(behindReached).toBe(0);
  });

  it("answers a missing X-Shopify-Hmac-Sha256 with 401, like a wrong one, and stores nothing", async () => {
    const missing = webhookHeaders({
      topic: "orders/create",
      body,
      secret: SECRET,
      eventId: "evt-unsigned",
      omit: ["x-shopify-hmac-sha256"],
    });
    expect((await post("/webhooks/orders/create", body, missing)).status).toBe(401);
    const wrong = webhookHeaders({ topic: "orders/create", body, secret: "not-the-secret", eventId: "evt-unsigned" });
    expect((await post("/webhooks/orders/create", body, wrong)).status).toBe(401);
    const tampered = webhookHeaders({ topic: "orders/create", body, secret: SECRET, eventId: "evt-unsigned" });
    expect((await post("/webhooks/orders/create", body.replace("99.85", "9.85"), tampered)).status).toBe(401);
    expect(await db.webhookInbox.count({ where: { dedupKey: "evt-unsigned" } })).toBe(0);
  });

  it("answers a signed delivery missing another required header, or with an empty body, with 400", async () => {
    for (const missing of [
      "x-shopify-topic",
      "x-shopify-shop-domain",
      "x-shopify-webhook-id",
      "x-shopify-api-version",
    ]) {
      const headers = webhookHeaders({
        topic: "orders/create",
        body,
        secret: SECRET,
        eventId: "evt-x",
        omit: [missing],
      });
      const response = await post("/webhooks/orders/create", body, headers);
      expect(response.status, missing).toBe(400);
      expect(await response.json()).toEqual({ error: { code: "invalid", message: `missing ${missing} header` } });
    }
    const empty = webhookHeaders({ topic: "orders/create", body: "", secret: SECRET, eventId: "evt-x" });
    expect((await post("/webhooks/orders/create", "", empty)).status).toBe(400);
    expect(await db.webhookInbox.count({ where: { dedupKey: "evt-x" } })).toBe(0);
  });

  it("stores a repeated event once and falls back to the webhook id", async () => {
    for (let i = 0; i < 3; i++)
      expect((await send("/webhooks/orders/paid", "orders/paid", body, { eventId: "evt-dup" })).status).toBe(200);
    expect(await db.webhookInbox.count({ where: { dedupKey: "evt-dup" } })).toBe(1);
    const headers = webhookHeaders({
      topic: "orders/updated",
      body,
      secret: SECRET,
      webhookId: "wh-no-event",
      omit: ["x-shopify-event-id"],
    });
    expect((await post("/webhooks/orders/updated", body, headers)).status).toBe(200);
    expect((await post("/webhooks/orders/updated", body, headers)).status).toBe(200);
    expect(await db.webhookInbox.count({ where: { dedupKey: "wh-no-event" } })).toBe(1);
  });

  it("takes app/uninstalled and the compliance topics through the same receipt", async () => {
    const shop = "compliance.myshopify.com";
    const deliveries: [string, string, unknown][] = [
      ["/webhooks/app/uninstalled", "app/uninstalled", { id: 548380009, domain: shop }],
      ["/webhooks/compliance", "customers/data_request", { shop_id: 1, shop_domain: shop, data_request: { id: 9 } }],
      ["/webhooks/compliance", "customers/redact", { shop_id: 1, shop_domain: shop, customer: { id: 2 } }],
      ["/webhooks/compliance", "shop/redact", { shop_id: 1, shop_domain: shop }],
    ];
    for (const [path, topic, payload] of deliveries) {
      const text = shopifyJson(payload);
      expect((await send(path, topic, text, { shop, eventId: `evt-${topic}` })).status, topic).toBe(200);
      const forged = webhookHeaders({ topic, body: text, secret: "forged", shop });
      expect((await post(path, text, forged)).status, topic).toBe(401);
    }
    const rows = await db.webhookInbox.findMany({ where: { dedupKey: { startsWith: "evt-" }, storeId: null } });
    expect(rows.map((r) => r.topic).sort()).toEqual(deliveries.map((d) => d[1]).sort());
    // Kept under the shop's domain, so a shop/redact of a shop that never installed still finds them.
    expect(rows.map((r) => r.shopDomain)).toEqual(deliveries.map(() => shop));
    expect(behindReached).toBe(0);
  });

  it("answers GET with 405 and a body over 5 MB with 413; other paths go to the app", async () => {
    const get = await fetch(`${server.url}/webhooks/orders/create`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    const huge = "x".repeat(5 * 1024 * 1024 + 1);
    expect((await send("/webhooks/orders/create", "orders/create", huge)).status).toBe(413);
    expect((await fetch(`${server.url}/webhooks/unknown/topic`, { method: "POST" })).status).toBe(200);
    expect(behindReached).toBe(1);
  });

  it("answers concurrent deliveries each after its group is stored", async () => {
    groups.length = 0;
    const ids = Array.from({ length: 60 }, (_, i) => `evt-concurrent-${i}`);
    const responses = await Promise.all(
      ids.map((eventId) => send("/webhooks/orders/create", "orders/create", body, { eventId })),
    );
    expect(responses.map((r) => r.status)).toEqual(ids.map(() => 200));
    expect(await db.webhookInbox.count({ where: { dedupKey: { in: ids } } })).toBe(60);
    expect(groups.reduce((a, b) => a + b, 0)).toBe(60);
  });
});
