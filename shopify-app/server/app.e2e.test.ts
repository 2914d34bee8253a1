import type { Db } from "@trailmark/core/db";
import { adoptShopDeliveries } from "@trailmark/core/inbox";
import type { RunningServer } from "@trailmark/core/server";
import { serveFetch } from "@trailmark/core/server";
import { createStore, findStoreByDomain } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { createShopifyInboxWorker } from "@trailmark/shopify";
import {
  BIG_ORDER_ID,
  createShopifyAdminFake,
  orderPayload,
  shopifyAdminHandlers,
  shopifyJson,
  TEST_SHOP,
  webhookHeaders,
} from "@trailmark/shopify/testing";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

// The built app over real HTTP on loopback, as Shopify reaches it: signed webhooks byte for byte, and an embedded
// admin request whose token exchange and Admin GraphQL calls go to MSW.

const SECRET = "test-api-secret-0123456789";
const API_KEY = "test-api-key";
const APP_URL = "https://trailmark.test";
const BROWSER =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

const fake = createShopifyAdminFake();
const mswServer = setupServer(...shopifyAdminHandlers(fake));
let database: TestDatabase;
let db: Db;
let server: RunningServer;

beforeAll(async () => {
  Object.assign(process.env, { SHOPIFY_API_KEY: API_KEY, SHOPIFY_API_SECRET: SECRET, SHOPIFY_APP_URL: APP_URL });
  // MSW patches fetch before the app's Shopify library captures it; loopback requests pass through.
  mswServer.listen({
    onUnhandledRequest(request, print) {
      if (new URL(request.url).hostname !== "127.0.0.1") print.error();
    },
  });
  database = await createTestDatabase();
  db = database.db;
  const { createShopifyAppHandler } = await import("./handler.ts");
  const handler = await createShopifyAppHandler({ database });
  server = await serveFetch((request) => handler(request), { port: 0, host: "127.0.0.1" });
}, 300_000);

afterEach(() => {
  mswServer.resetHandlers();
});

afterAll(async () => {
  await server?.close();
  mswServer.close();
  await database?.destroy();
});

function post(path: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: "POST", body, headers });
}

async function send(path: string, topic: string, body: string, options: { eventId?: string; shop?: string } = {}) {
  return post(path, body, webhookHeaders({ topic, body, secret: SECRET, ...options }));
}

describe("webhooks", () => {
  const body = shopifyJson(orderPayload());

  it("refuses a bad signature with 401 and stores nothing", async () => {
    const headers = webhookHeaders({ topic: "orders/create", body, secret: "not-the-secret", eventId: "evt-bad" });
    expect((await post("/webhooks/orders/create", body, headers)).status).toBe(401);
    const tampered = webhookHeaders({ topic: "orders/create", body, secret: SECRET, eventId: "evt-bad" });
    expect((await post("/webhooks/orders/create", body.replace("99.85", "9.85"), tampered)).status).toBe(401);
    expect(await db.webhookInbox.count({ where: { dedupKey: "evt-bad" } })).toBe(0);
  });

  it("refuses a missing signature with 401 and other missing headers or body with 400", async () => {
    const unsigned = webhookHeaders({
      topic: "orders/create",
      body,
      secret: SECRET,
      eventId: "evt-missing",
      omit: ["x-shopify-hmac-sha256"],
    });
    expect((await post("/webhooks/orders/create", body, unsigned)).status).toBe(401);
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
        eventId: "evt-missing",
        omit: [missing],
      });
      expect((await post("/webhooks/orders/create", body, headers)).status, missing).toBe(400);
    }
    expect(
      (await post("/webhooks/orders/create", "", webhookHeaders({ topic: "orders/create", body: "", secret: SECRET })))
        .status,
    ).toBe(400);
    expect(await db.webhookInbox.count({ where: { dedupKey: "evt-missing" } })).toBe(0);
  });

  it("stores a valid delivery's exact bytes keyed by its event id and answers 200 at once", async () => {
    const started = performance.now();
    const response = await send("/webhooks/orders/create", "orders/create", body, { eventId: "evt-order-1" });
    const elapsed = performance.now() - started;
    expect(response.status).toBe(200);
    expect(elapsed).toBeLessThan(1000);
    const row = await db.webhookInbox.findUniqueOrThrow({
      where: { source_dedupKey: { source: "shopify", dedupKey: "evt-order-1" } },
    });
    expect(row).toMatchObject({ source: "shopify", topic: "orders/create", status: "pending" });
    expect(Buffer.from(row.body).equals(Buffer.from(body, "utf8"))).toBe(true);
    expect(Buffer.from(row.body).toString()).toContain(`"id":${BIG_ORDER_ID},`);
    const headers = JSON.parse(row.headers) as Record<string, string>;
    expect(headers["x-shopify-shop-domain"]).toBe(TEST_SHOP);
    expect(headers["x-shopify-event-id"]).toBe("evt-order-1");
    expect(headers["x-shopify-hmac-sha256"]).toBeUndefined();
  });

  it("stores a repeated delivery once", async () => {
    for (let i = 0; i < 3; i++)
      expect((await send("/webhooks/orders/paid", "orders/paid", body, { eventId: "evt-dup" })).status).toBe(200);
    expect(await db.webhookInbox.count({ where: { dedupKey: "evt-dup" } })).toBe(1);
  });

  it("falls back to the webhook id when there is no event id", async () => {
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

  it("turns a delivered orders/create into an order through the inbox worker, once the shop's store exists", async () => {
    const logs: string[] = [];
    const worker = createShopifyInboxWorker(db, { log: (m) => logs.push(m) });
    await worker.drain();
    const where = { source_dedupKey: { source: "shopify", dedupKey: "evt-order-1" } } as const;
    // Delivered before the install made the store: it waits, and no store is made from it.
    expect(await db.webhookInbox.findUniqueOrThrow({ where })).toMatchObject({ status: "failed", storeId: null });
    expect(await findStoreByDomain(db, "shopify", TEST_SHOP)).toBeNull();
    const { store: installed } = await createStore(db, { platform: "shopify", domain: TEST_SHOP, currency: "USD" });
    await adoptShopDeliveries(db, { storeId: installed.id, shopDomain: TEST_SHOP });
    await worker.drain();
    const row = await db.webhookInbox.findUniqueOrThrow({ where });
    expect(row.status, row.lastError ?? "").toBe("done");
    const store = await findStoreByDomain(db, "shopify", TEST_SHOP);
    const order = await db.order.findUniqueOrThrow({
      where: { storeId_externalId: { storeId: store!.id, externalId: BIG_ORDER_ID } },
    });
    expect(order).toMatchObject({ number: "#1001", status: "confirmed", total: 8990n, currency: "USD" });
  });

  it("handles app/uninstalled twice", async () => {
    const shop = "uninstalling.myshopify.com";
    await db.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_revoked" } });
    const payload = shopifyJson({ id: 548380009, name: "Uninstalling", domain: shop });
    expect(
      (await send("/webhooks/app/uninstalled", "app/uninstalled", payload, { shop, eventId: "evt-un-1" })).status,
    ).toBe(200);
    expect(
      (await send("/webhooks/app/uninstalled", "app/uninstalled", payload, { shop, eventId: "evt-un-2" })).status,
    ).toBe(200);
    await createShopifyInboxWorker(db, { log: () => {} }).drain();
    const rows = await db.webhookInbox.findMany({ where: { dedupKey: { in: ["evt-un-1", "evt-un-2"] } } });
    expect(rows.map((r) => r.status)).toEqual(["done", "done"]);
    expect(await db.session.count({ where: { shop } })).toBe(0);
  });

  it("stores app/uninstalled even when the shop's expired token can no longer be refreshed", async () => {
    const shop = "revoked.myshopify.com";
    const past = new Date(Date.now() - 60_000);
    await db.session.create({
      data: {
        id: `offline_${shop}`,
        shop,
        state: "",
        accessToken: "shpat_expired",
        expires: past,
        refreshToken: "shprt_revoked",
        refreshTokenExpires: new Date(Date.now() + 86_400_000),
      },
    });
    const payload = shopifyJson({ id: 548380010, domain: shop });
    const response = await send("/webhooks/app/uninstalled", "app/uninstalled", payload, {
      shop,
      eventId: "evt-revoked",
    });
    expect(response.status).toBe(200);
    expect(await db.webhookInbox.count({ where: { dedupKey: "evt-revoked" } })).toBe(1);
    // The receipt never loads the session, so the revoked token was not refreshed (nor tried).
    expect((await db.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } })).accessToken).toBe(
      "shpat_expired",
    );
    const forged = webhookHeaders({ topic: "app/uninstalled", body: payload, secret: "forged", shop });
    expect((await post("/webhooks/app/uninstalled", payload, forged)).status).toBe(401);
  });

  it("takes the three compliance topics at /webhooks/compliance and refuses a bad signature with 401", async () => {
    const shop = "compliance.myshopify.com";
    const customer = { id: 207119551, email: "bob@example.com", phone: null };
    const topics = {
      "customers/data_request": {
        shop_id: 954889,
        shop_domain: shop,
        orders_requested: [299938],
        customer,
        data_request: { id: 9999 },
      },
      "customers/redact": { shop_id: 954889, shop_domain: shop, customer, orders_to_redact: [299938] },
      "shop/redact": { shop_id: 954889, shop_domain: shop },
    };
    for (const [topic, payload] of Object.entries(topics)) {
      const text = shopifyJson(payload);
      expect((await send("/webhooks/compliance", topic, text, { shop, eventId: `evt-${topic}` })).status, topic).toBe(
        200,
      );
      const bad = webhookHeaders({ topic, body: text, secret: "wrong", shop });
      expect((await post("/webhooks/compliance", text, bad)).status, topic).toBe(401);
      await createShopifyInboxWorker(db, { log: () => {} }).drain();
      const row = await db.webhookInbox.findUniqueOrThrow({
        where: { source_dedupKey: { source: "shopify", dedupKey: `evt-${topic}` } },
      });
      expect([row.status, row.shopDomain], topic).toEqual(["done", shop]);
    }
    // shop/redact leaves nothing of the shop but itself: the earlier requests named the customer.
    expect((await db.webhookInbox.findMany({ where: { shopDomain: shop } })).map((r) => r.topic)).toEqual([
      "shop/redact",
    ]);
  });

  it("answers GET on a webhook route with 405", async () => {
    const response = await fetch(`${server.url}/webhooks/orders/create`);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });
});

describe("pages and assets", () => {
  it("serves the front page", async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain("Trailmark");
  });

  it("serves built client assets with their content types and long caching", async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    const script = /\/assets\/[\w.-]+\.js/.exec(html)?.[0];
    expect(script).toBeDefined();
    const js = await fetch(`${server.url}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toContain("immutable");
    const etag = js.headers.get("etag")!;
    expect((await fetch(`${server.url}${script}`, { headers: { "if-none-match": etag } })).status).toBe(304);

    const { readdirSync } = await import("node:fs");
    const { BUILD_DIR } = await import("./handler.ts");
    const css = readdirSync(`${BUILD_DIR}/client/assets`).find((f) => f.endsWith(".css"));
    const styles = await fetch(`${server.url}/assets/${css}`);
    expect(styles.headers.get("content-type")).toBe("text/css; charset=utf-8");

    expect((await fetch(`${server.url}/.vite/manifest.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/assets/..%2F..%2Fserver%2Findex.js`)).status).toBe(404);
  });

  it("installs the shop on its first embedded visit (token exchange, store, web pixel) and shows the pixel as active", async () => {
    const { RequestType, setUpValidRequest } = await import("@shopify/shopify-api/test-helpers");
    // A browser inside the Shopify admin, with the session token App Bridge adds; shopify-app-remix turns bots away.
    const visit = async () => {
      const request = await setUpValidRequest(
        { type: RequestType.Admin, store: "test-shop", apiKey: API_KEY, apiSecretKey: SECRET },
        new Request(`${server.url}/app`),
      );
      const response = await fetch(request.url, { headers: { "user-agent": BROWSER } });
      return { status: response.status, html: await response.text() };
    };
    const first = await visit();
    expect(first.status, first.html.slice(0, 500)).toBe(200);
    // app.tsx and app._index.tsx authenticate in parallel: each may exchange the token; afterAuth runs once.
    expect(fake.tokenExchanges).toBeGreaterThanOrEqual(1);
    const store = await findStoreByDomain(db, "shopify", TEST_SHOP);
    expect(store).toMatchObject({ name: "Test Shop", currency: "EUR", status: "active" });
    expect(JSON.parse(fake.pixel!.settings)).toEqual({ accountID: store!.id, collectorUrl: `${APP_URL}/collect` });
    expect(await db.session.count({ where: { shop: TEST_SHOP } })).toBe(1);

    const exchanges = fake.tokenExchanges;
    const next = await visit();
    expect(next.status).toBe(200);
    expect(fake.tokenExchanges).toBe(exchanges);
    expect(next.html).toContain("Active");
    expect(next.html).toContain(store!.id);
  });

  it("shows the recorded pixel error on the admin page", async () => {
    const shop = "broken-pixel";
    fake.userErrors = [{ code: "NO_EXTENSION", field: null, message: "The web pixel extension is not deployed." }];
    const { RequestType, setUpValidRequest } = await import("@shopify/shopify-api/test-helpers");
    const visit = async () => {
      const request = await setUpValidRequest(
        { type: RequestType.Admin, store: shop, apiKey: API_KEY, apiSecretKey: SECRET },
        new Request(`${server.url}/app`),
      );
      return (await fetch(request.url, { headers: { "user-agent": BROWSER } })).text();
    };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await visit();
    const html = await visit();
    expect(html).toContain("Not active");
    expect(html).toContain("NO_EXTENSION: The web pixel extension is not deployed.");
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("web pixel not activated"));
    warn.mockRestore();
    fake.userErrors = null;
  });
});
