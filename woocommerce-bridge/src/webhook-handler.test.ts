import { createHash } from "node:crypto";
import { createStore, type Store, updateStoreCredentials } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWooBridgeHandler } from "./server.ts";
import { phpJsonEncode } from "./testing/php-json.ts";
import { signWooBody, WOO_USER_AGENT, webhookUrl, wooDelivery, wooPing } from "./testing/woo-deliveries.ts";
import { wooOrderPayload } from "./testing/woo-orders.ts";
import { createConnectedWooStore, TEST_WEBHOOK_SECRET } from "./testing/woo-store.ts";
import { createWooWebhookHandler, MAX_WEBHOOK_BYTES } from "./webhook-handler.ts";

let database: TestDatabase;
let store: Store;
const ctx = { clientIp: "192.0.2.10" };

beforeAll(async () => {
  database = await createTestDatabase();
  store = await createConnectedWooStore(database.db);
});
afterAll(async () => {
  await database.destroy();
});

function inboxRows(storeId: string) {
  return database.db.webhookInbox.findMany({ where: { storeId }, orderBy: { receivedAt: "asc" } });
}

describe("POST /woocommerce/webhooks/:storeId", () => {
  it("answers WooCommerce's activation ping with exactly 200", async () => {
    const handle = createWooWebhookHandler({ db: database.db });
    const response = await handle(wooPing(store.id, 31), ctx);
    expect(response.status).toBe(200);
    expect(await inboxRows(store.id)).toHaveLength(0);
  });

  it("answers a ping with 200 even before the store is known, since it carries nothing", async () => {
    const handle = createWooWebhookHandler({ db: database.db });
    expect((await handle(wooPing("st_unknown"), ctx)).status).toBe(200);
  });

  it("queues a signed delivery with its exact bytes and answers 200 at once", async () => {
    const s = await createConnectedWooStore(database.db);
    const handle = createWooWebhookHandler({ db: database.db });
    const payload = wooOrderPayload({ id: 5001 });
    const request = wooDelivery({ storeId: s.id, secret: TEST_WEBHOOK_SECRET, topic: "order.created", payload });
    const response = await handle(request, ctx);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, duplicate: false });
    const [row] = await inboxRows(s.id);
    expect(row).toMatchObject({
      source: "woocommerce",
      topic: "order.created",
      status: "pending",
    });
    expect(row!.dedupKey).toBe(
      `${s.id}:order:5001:sha256:${createHash("sha256").update(phpJsonEncode(payload)).digest("hex")}`,
    );
    expect(Buffer.from(row!.body).toString()).toBe(phpJsonEncode(payload));
    const headers = JSON.parse(row!.headers) as Record<string, string>;
    expect(headers["user-agent"]).toBe(WOO_USER_AGENT);
    expect(headers["x-wc-webhook-source"]).toBe("https://shop.example.com/");
    expect(headers["x-wc-webhook-topic"]).toBe("order.created");
    expect(headers).not.toHaveProperty("x-wc-webhook-signature");
  });

  it("refuses a delivery whose signature does not match its bytes with 401", async () => {
    const handle = createWooWebhookHandler({ db: database.db });
    const payload = wooOrderPayload({ id: 5002 });
    // Signed over JSON.stringify's bytes instead of PHP's: what a verifier that re-serializes would check.
    const wrongBytes = signWooBody(JSON.stringify(payload), TEST_WEBHOOK_SECRET);
    const request = wooDelivery({
      storeId: store.id,
      secret: TEST_WEBHOOK_SECRET,
      topic: "order.created",
      payload,
      signature: wrongBytes,
    });
    expect((await handle(request, ctx)).status).toBe(401);
    const wrongSecret = wooDelivery({ storeId: store.id, secret: "someone-else", topic: "order.created", payload });
    expect((await handle(wrongSecret, ctx)).status).toBe(401);
    const unsigned = wooDelivery({
      storeId: store.id,
      secret: TEST_WEBHOOK_SECRET,
      topic: "order.created",
      payload,
      signature: null,
    });
    expect((await handle(unsigned, ctx)).status).toBe(401);
    const garbage = wooDelivery({
      storeId: store.id,
      secret: TEST_WEBHOOK_SECRET,
      topic: "order.created",
      payload,
      signature: "x",
    });
    expect((await handle(garbage, ctx)).status).toBe(401);
    expect(await inboxRows(store.id)).toHaveLength(0);
  });

  it("answers 404 for a store it does not know or that is not a WooCommerce store", async () => {
    const handle = createWooWebhookHandler({ db: database.db });
    const payload = wooOrderPayload();
    const unknown = wooDelivery({
      storeId: "st_doesnotexist",
      secret: TEST_WEBHOOK_SECRET,
      topic: "order.created",
      payload,
    });
    expect((await handle(unknown, ctx)).status).toBe(404);
    const { store: shopify } = await createStore(database.db, { platform: "shopify", domain: "a-shop.myshopify.com" });
    const other = wooDelivery({ storeId: shopify.id, secret: TEST_WEBHOOK_SECRET, topic: "order.created", payload });
    expect((await handle(other, ctx)).status).toBe(404);
  });

  it("refuses a body over 1 MB with 413 before verifying it", async () => {
    const handle = createWooWebhookHandler({ db: database.db });
    const payload = wooOrderPayload({ extraMeta: [{ id: 1, key: "_big", value: "x".repeat(MAX_WEBHOOK_BYTES) }] });
    const request = wooDelivery({ storeId: store.id, secret: TEST_WEBHOOK_SECRET, topic: "order.updated", payload });
    expect((await handle(request, ctx)).status).toBe(413);
  });

  it("stores a snapshot delivered twice once, whatever its topic or delivery id", async () => {
    const s = await createConnectedWooStore(database.db);
    const handle = createWooWebhookHandler({ db: database.db });
    const payload = wooOrderPayload({ id: 5003, modifiedGmt: "2024-11-20T11:00:00" });
    const first = await handle(
      wooDelivery({ storeId: s.id, secret: TEST_WEBHOOK_SECRET, topic: "order.created", payload }),
      ctx,
    );
    const again = await handle(
      wooDelivery({ storeId: s.id, secret: TEST_WEBHOOK_SECRET, topic: "order.updated", payload }),
      ctx,
    );
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    const newer = wooOrderPayload({ id: 5003, status: "completed", modifiedGmt: "2024-11-20T12:00:00" });
    await handle(
      wooDelivery({ storeId: s.id, secret: TEST_WEBHOOK_SECRET, topic: "order.updated", payload: newer }),
      ctx,
    );
    expect((await inboxRows(s.id)).map((r) => r.topic)).toEqual(["order.created", "order.updated"]);
  });

  it("keeps every order.deleted delivery, since a trashed, restored and trashed again order looks the same", async () => {
    const s = await createConnectedWooStore(database.db);
    const handle = createWooWebhookHandler({ db: database.db });
    for (let i = 0; i < 2; i++) {
      const response = await handle(
        wooDelivery({ storeId: s.id, secret: TEST_WEBHOOK_SECRET, topic: "order.deleted", payload: { id: 5004 } }),
        ctx,
      );
      expect(response.status).toBe(200);
    }
    expect(await inboxRows(s.id)).toHaveLength(2);
  });

  it("acknowledges topics it does not handle without queueing them", async () => {
    const s = await createConnectedWooStore(database.db);
    const handle = createWooWebhookHandler({ db: database.db });
    const request = wooDelivery({
      storeId: s.id,
      secret: TEST_WEBHOOK_SECRET,
      topic: "product.updated",
      payload: { id: 77, name: "Beanie" },
    });
    const response = await handle(request, ctx);
    expect(response.status).toBe(200);
    expect(await inboxRows(s.id)).toHaveLength(0);
  });

  it("still queues a signed body it cannot read, so that the failure shows in the inbox", async () => {
    const s = await createConnectedWooStore(database.db);
    const handle = createWooWebhookHandler({ db: database.db });
    const request = wooDelivery({
      storeId: s.id,
      secret: TEST_WEBHOOK_SECRET,
      topic: "order.updated",
      payload: "<html>oops",
    });
    expect((await handle(request, ctx)).status).toBe(200);
    const [row] = await inboxRows(s.id);
    expect(row?.dedupKey).toMatch(new RegExp(`^${s.id}:order.updated:sha256:[0-9a-f]{64}$`));
  });

  it("refuses deliveries for a disconnected store, whose secret is gone", async () => {
    const s = await createConnectedWooStore(database.db);
    await updateStoreCredentials(database.db, s.id, { webhookSecret: null });
    const handle = createWooWebhookHandler({ db: database.db });
    const request = wooDelivery({
      storeId: s.id,
      secret: TEST_WEBHOOK_SECRET,
      topic: "order.created",
      payload: wooOrderPayload(),
    });
    expect((await handle(request, ctx)).status).toBe(401);
  });

  it("nudges the worker for a new delivery but not for a duplicate", async () => {
    const s = await createConnectedWooStore(database.db);
    let drains = 0;
    const handle = createWooWebhookHandler({ db: database.db, worker: { drain: async () => ++drains } });
    const payload = wooOrderPayload({ id: 5005 });
    await handle(wooDelivery({ storeId: s.id, secret: TEST_WEBHOOK_SECRET, topic: "order.created", payload }), ctx);
    await handle(wooDelivery({ storeId: s.id, secret: TEST_WEBHOOK_SECRET, topic: "order.created", payload }), ctx);
    expect(drains).toBe(1);
  });
});

describe("createWooBridgeHandler", () => {
  it("routes webhook deliveries and answers other methods with 405 and other paths with 404", async () => {
    const handler = createWooBridgeHandler({ db: database.db });
    expect((await handler(wooPing(store.id), ctx)).status).toBe(200);
    const get = await handler(new Request(webhookUrl(store.id)), ctx);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect(
      (await handler(new Request("https://bridge.trailmark.test/woocommerce/other", { method: "POST" }), ctx)).status,
    ).toBe(404);
    expect((await handler(new Request(`${webhookUrl(store.id)}/extra`, { method: "POST" }), ctx)).status).toBe(404);
  });
});
