import { getStore } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectStore, disconnectStore } from "./connect.ts";
import { type FakeWooStoreOptions, fakeWooStore } from "./testing/woo-api.ts";
import { wooDelivery } from "./testing/woo-deliveries.ts";
import { wooOrderPayload } from "./testing/woo-orders.ts";
import { createWooWebhookHandler } from "./webhook-handler.ts";
import { WooApiError } from "./woo-client.ts";
import { wooCredentialsOf } from "./woo-credentials.ts";

const server = setupServer();
let database: TestDatabase;
const PUBLIC_URL = "https://track.trailmark.test";

beforeAll(async () => {
  server.listen({ onUnhandledRequest: "error" });
  database = await createTestDatabase();
});
afterEach(() => server.resetHandlers());
afterAll(async () => {
  server.close();
  await database.destroy();
});

let counter = 0;
function woo(options: FakeWooStoreOptions = {}) {
  const store = fakeWooStore({ url: `https://shop-${++counter}.example.com`, ...options });
  server.use(...store.handlers);
  return store;
}

function connect(
  store: { url: string; key: string; secret: string },
  extra: Partial<Parameters<typeof connectStore>[0]> = {},
) {
  return connectStore({
    db: database.db,
    url: store.url,
    key: store.key,
    secret: store.secret,
    publicUrl: PUBLIC_URL,
    ...extra,
  });
}

describe("connectStore", () => {
  it("creates the store, its four order webhooks and returns the script tag", async () => {
    const shop = woo({ currency: "CHF" });
    const result = await connect(shop);
    expect(result.created).toBe(true);
    expect(result.store).toMatchObject({
      platform: "woocommerce",
      domain: new URL(shop.url).host,
      currency: "CHF",
      status: "active",
    });
    expect(result.woocommerceVersion).toBe("9.4.2");
    const deliveryUrl = `${PUBLIC_URL}/woocommerce/webhooks/${result.store.id}`;
    expect(result.deliveryUrl).toBe(deliveryUrl);
    expect(shop.webhooks.map((w) => [w.topic, w.status, w.delivery_url])).toEqual([
      ["order.created", "active", deliveryUrl],
      ["order.updated", "active", deliveryUrl],
      ["order.deleted", "active", deliveryUrl],
      ["order.restored", "active", deliveryUrl],
    ]);
    expect(result.scriptTag).toBe(`<script async src="${PUBLIC_URL}/t.js" data-store="${result.store.id}"></script>`);

    const credentials = wooCredentialsOf(result.store);
    expect(credentials).toMatchObject({
      url: shop.url,
      consumerKey: shop.key,
      consumerSecret: shop.secret,
      deliveryUrl,
    });
    expect(credentials.webhookSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(credentials.webhookSecret).not.toBe(shop.secret);
    // Every webhook signs with the store's own secret, which the endpoint then verifies.
    expect(new Set(shop.webhooks.map((w) => w.secret))).toEqual(new Set([credentials.webhookSecret]));
    expect(credentials.webhookIds).toEqual(Object.fromEntries(shop.webhooks.map((w) => [w.topic, String(w.id)])));
  });

  it("gives each store its own webhook secret", async () => {
    const a = await connect(woo());
    const b = await connect(woo());
    expect(wooCredentialsOf(a.store).webhookSecret).not.toBe(wooCredentialsOf(b.store).webhookSecret);
  });

  it("connects twice without duplicating the store or its webhooks", async () => {
    const shop = woo();
    const first = await connect(shop);
    const second = await connect(shop);
    expect(second.created).toBe(false);
    expect(second.store.id).toBe(first.store.id);
    expect(shop.webhooks).toHaveLength(4);
    expect(second.webhooks.map((w) => w.action)).toEqual(["updated", "updated", "updated", "updated"]);
    expect(wooCredentialsOf(second.store).webhookSecret).toBe(wooCredentialsOf(first.store).webhookSecret);
  });

  it("repairs our webhooks in place: re-enables, re-points a moved bridge and removes duplicates", async () => {
    const shop = woo();
    const first = await connect(shop);
    const path = `/woocommerce/webhooks/${first.store.id}`;
    shop.webhooks[0]!.status = "disabled";
    shop.webhooks[1]!.delivery_url = `https://old-bridge.example.net${path}`;
    shop.webhooks.push({
      id: 99,
      name: "copy",
      status: "active",
      topic: "order.deleted",
      delivery_url: `${PUBLIC_URL}${path}`,
      secret: "x",
    });
    shop.webhooks.push({
      id: 98,
      name: "merchant's own",
      status: "active",
      topic: "order.created",
      delivery_url: "https://erp.example.com/hook",
      secret: "y",
    });
    await connect(shop);
    const ours = shop.webhooks.filter((w) => w.delivery_url.endsWith(path));
    expect(ours.map((w) => [w.topic, w.status, w.delivery_url])).toEqual([
      ["order.created", "active", `${PUBLIC_URL}${path}`],
      ["order.updated", "active", `${PUBLIC_URL}${path}`],
      ["order.deleted", "active", `${PUBLIC_URL}${path}`],
      ["order.restored", "active", `${PUBLIC_URL}${path}`],
    ]);
    expect(shop.webhooks.find((w) => w.id === 98)?.delivery_url).toBe("https://erp.example.com/hook");
  });

  it("makes webhooks whose deliveries the bridge accepts", async () => {
    const shop = woo();
    const { store } = await connect(shop);
    const secret = shop.webhooks[0]!.secret;
    const handle = createWooWebhookHandler({ db: database.db });
    const response = await handle(
      wooDelivery({ storeId: store.id, secret, topic: "order.created", payload: wooOrderPayload() }),
    );
    expect(response.status).toBe(200);
  });

  it("reports bad keys without creating a store", async () => {
    const shop = woo();
    const error = await connect(shop, { secret: "cs_0000000000000000000000000000000000000000" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WooApiError);
    expect((error as WooApiError).failure).toBe("unauthorized");
    expect(await database.db.store.count({ where: { domain: new URL(shop.url).host } })).toBe(0);
  });

  it("reports a store that is down", async () => {
    const shop = woo({ behaviour: "down" });
    await expect(connect(shop)).rejects.toMatchObject({
      failure: "unreachable",
      message: expect.stringMatching(/could not reach/),
    });
  });

  it("reports keys without write permission when it creates the webhooks", async () => {
    const shop = woo({ permissions: "read" });
    await expect(connect(shop)).rejects.toMatchObject({
      failure: "unauthorized",
      message: expect.stringMatching(/does not have write permissions/),
    });
  });

  it("checks the key format and the public URL before calling the store", async () => {
    const shop = woo();
    await expect(connect(shop, { key: "abc" })).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringMatching(/ck_/),
    });
    await expect(connect(shop, { secret: "abc" })).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringMatching(/cs_/),
    });
    await expect(connect(shop, { publicUrl: "track" })).rejects.toMatchObject({ code: "invalid" });
    expect(shop.requests).toHaveLength(0);
  });

  it("warns when WooCommerce cannot deliver to the public URL", async () => {
    const result = await connect(woo(), { publicUrl: "http://localhost:3000" });
    expect(result.warnings).toEqual([expect.stringMatching(/private address/)]);
  });
});

describe("disconnectStore", () => {
  it("deletes our webhooks, forgets the keys and secret and marks the store uninstalled", async () => {
    const shop = woo();
    shop.webhooks.push({
      id: 7,
      name: "merchant's own",
      status: "active",
      topic: "order.created",
      delivery_url: "https://erp.example.com/hook",
      secret: "y",
    });
    const { store } = await connect(shop);
    const result = await disconnectStore({ db: database.db, storeId: store.id });
    expect(result.removedWebhookIds).toHaveLength(4);
    expect(shop.webhooks.map((w) => w.id)).toEqual([7]);
    const after = await getStore(database.db, store.id);
    expect(after?.status).toBe("uninstalled");
    expect(wooCredentialsOf(after!)).toMatchObject({ consumerKey: null, consumerSecret: null, webhookSecret: null });
  });

  it("stops when the store cannot be reached, unless forced", async () => {
    const shop = woo();
    const { store } = await connect(shop);
    shop.behaviour = "down";
    await expect(disconnectStore({ db: database.db, storeId: store.id })).rejects.toMatchObject({
      failure: "unreachable",
    });
    expect((await getStore(database.db, store.id))?.status).toBe("active");
    const forced = await disconnectStore({ db: database.db, storeId: store.id, force: true });
    expect(forced.warnings).toEqual([expect.stringMatching(/webhooks were not deleted/)]);
    expect((await getStore(database.db, store.id))?.status).toBe("uninstalled");
  });

  it("can connect a disconnected store again", async () => {
    const shop = woo();
    const { store } = await connect(shop);
    await disconnectStore({ db: database.db, storeId: store.id });
    const again = await connect(shop);
    expect(again.store.id).toBe(store.id);
    expect(again.store.status).toBe("active");
    expect(shop.webhooks).toHaveLength(4);
  });

  it("refuses an unknown store", async () => {
    await expect(disconnectStore({ db: database.db, storeId: "st_nope" })).rejects.toMatchObject({ code: "not_found" });
  });
});
