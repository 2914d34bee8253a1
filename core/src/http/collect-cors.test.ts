import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, serveFetch } from "../server/node-http.ts";
import { trackingNodeRoutes } from "../server/tracking-routes.ts";
import { createStore } from "../stores/store.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { createTrackingApp, type TrackingApp } from "./tracking-app.ts";

// /collect answers CORS only for the store's own origins; any other origin gets no Access-Control-Allow-Origin.

let database: TestDatabase;
let app: TrackingApp;
let server: RunningServer;
let shopify: string;
let woo: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = createTrackingApp({ database, collectRateLimit: 100_000 });
  await app.start();
  server = await serveFetch(app.handler, { port: 0, host: "127.0.0.1", nodeRoutes: trackingNodeRoutes(app) });
  shopify = (
    await createStore(database.db, {
      platform: "shopify",
      domain: "anna-shop.myshopify.com",
      allowedDomains: ["anna.example"],
    })
  ).store.id;
  woo = (await createStore(database.db, { platform: "woocommerce", domain: "woo.example.com" })).store.id;
  await createStore(database.db, { platform: "shopify", domain: "other-shop.myshopify.com" });
});
afterAll(async () => {
  await server?.close();
  await app?.stop();
  await database?.destroy();
});

let seq = 0;
function post(store: string, origin: string, body: Record<string, unknown> = {}) {
  return fetch(`${server.url}/collect`, {
    method: "POST",
    headers: { "content-type": "text/plain", origin },
    body: JSON.stringify({ store, id: `cors-${++seq}`, type: "page_view", visitor_id: "v", ...body }),
  });
}

function preflight(origin: string) {
  return fetch(`${server.url}/collect`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
  });
}

describe("/collect CORS", () => {
  it.each([
    ["the shop's myshopify domain", "https://anna-shop.myshopify.com"],
    ["its custom domain", "https://anna.example"],
    ["a subdomain of its custom domain", "https://www.anna.example"],
    ["Shopify's checkout", "https://checkout.shopify.com"],
    ["Shop Pay", "https://shop.app"],
  ])("answers a Shopify store's events from %s", async (_, origin) => {
    const res = await post(shopify, origin);
    expect(res.status).toBe(202);
    expect(res.headers.get("access-control-allow-origin")).toBe(origin);
  });

  it.each([
    ["another shop's myshopify domain", "https://other-shop.myshopify.com"],
    ["any https site", "https://evil.example.net"],
    ["a look-alike of its domain", "https://anna-shop.myshopify.com.evil.example"],
    ["an opaque origin", "null"],
  ])("refuses a Shopify store's events from %s without CORS headers", async (_, origin) => {
    const res = await post(shopify, origin);
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(await database.db.event.count({ where: { eventKey: `cors-${seq}` } })).toBe(0);
  });

  it("refuses a WooCommerce store's events from Shopify's hosts", async () => {
    const res = await post(woo, "https://checkout.shopify.com");
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect((await post(woo, "https://woo.example.com")).headers.get("access-control-allow-origin")).toBe(
      "https://woo.example.com",
    );
  });

  it("gives no CORS headers to a foreign origin's invalid, unknown-store or rate-limited request", async () => {
    const foreign = "https://evil.example.net";
    for (const res of [
      await post(shopify, foreign, { type: "nope" }),
      await post("st_missing", foreign),
      await fetch(`${server.url}/collect`, { method: "GET", headers: { origin: foreign } }),
    ]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("lets the store's own page read why an event was refused, and no other origin", async () => {
    const own = await post(shopify, "https://anna.example", { occurred_at: 1 });
    expect(own.status).toBe(400);
    expect(own.headers.get("access-control-allow-origin")).toBe("https://anna.example");
    const foreign = await post(shopify, "https://evil.example.net", { occurred_at: 1 });
    expect(foreign.status).toBe(400);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers a preflight only for an origin that is an active store's own", async () => {
    for (const origin of ["https://anna.example", "https://shop.woo.example.com", "https://checkout.shopify.com"]) {
      const res = await preflight(origin);
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe(origin);
    }
    for (const origin of ["https://evil.example.net", "https://example.com", "null"]) {
      const res = await preflight(origin);
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
  });
});
