import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { type AdminProgram, seedAdminProgram } from "@trailmark/core/admin";
import type { Db } from "@trailmark/core/db";
import type { RunningServer } from "@trailmark/core/server";
import { serveFetch } from "@trailmark/core/server";
import { getStore } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { createShopifyInboxWorker } from "@trailmark/shopify";
import {
  BIG_CUSTOMER_ID,
  BIG_ORDER_ID,
  big,
  createShopifyAdminFake,
  orderPayload,
  shopifyAdminHandlers,
  shopifyJson,
  webhookHeaders,
} from "@trailmark/shopify/testing";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The embedded admin (under /app) over real HTTP, as the Shopify admin's iframe reaches it: documents carry the
// session token as id_token, App Bridge's fetches as a Bearer header. Each shop sees and changes only its store.

const SECRET = "test-api-secret-embedded";
const API_KEY = "test-api-key-embedded";
const APP_URL = "https://trailmark.test";
const BROWSER =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

const fake = createShopifyAdminFake();
const msw = setupServer(...shopifyAdminHandlers(fake));
let database: TestDatabase;
let db: Db;
let server: RunningServer;
let a: AdminProgram;
let b: AdminProgram;

/** A seeded program on a Shopify store with a live offline session, so no token exchange is needed. */
async function shopifyProgram(shop: string): Promise<AdminProgram> {
  const program = await seedAdminProgram(db);
  const domain = `${shop}.myshopify.com`;
  await db.store.update({ where: { id: program.store.id }, data: { platform: "shopify", domain, name: shop } });
  await db.session.create({
    data: {
      id: `offline_${domain}`,
      shop: domain,
      state: "",
      isOnline: false,
      scope: "read_orders,write_pixels,read_customer_events,write_discounts",
      accessToken: `shpat_${shop}`,
      expires: new Date(Date.now() + 86_400_000),
    },
  });
  return { ...program, store: (await getStore(db, program.store.id))! };
}

beforeAll(async () => {
  Object.assign(process.env, { SHOPIFY_API_KEY: API_KEY, SHOPIFY_API_SECRET: SECRET, SHOPIFY_APP_URL: APP_URL });
  msw.listen({
    onUnhandledRequest(request, print) {
      if (new URL(request.url).hostname !== "127.0.0.1") print.error();
    },
  });
  database = await createTestDatabase();
  db = database.db;
  a = await shopifyProgram("shop-a");
  b = await shopifyProgram("shop-b");
  const { createShopifyAppHandler } = await import("./handler.ts");
  const handler = await createShopifyAppHandler({ database });
  server = await serveFetch((request) => handler(request), { port: 0, host: "127.0.0.1" });
}, 300_000);

afterAll(async () => {
  await server?.close();
  msw.close();
  await database?.destroy();
});

/** A document request from the Shopify admin's iframe. */
async function open(shop: string, path: string): Promise<{ status: number; html: string }> {
  const request = await setUpValidRequest(
    { type: RequestType.Admin, store: shop, apiKey: API_KEY, apiSecretKey: SECRET },
    new Request(`${server.url}${path}`),
  );
  const response = await fetch(request.url, { headers: { "user-agent": BROWSER }, redirect: "manual" });
  return { status: response.status, html: await response.text() };
}

/** A form post as App Bridge sends it: the session token in the Authorization header. */
async function submit(shop: string, path: string, fields: Record<string, string>) {
  const request = await setUpValidRequest(
    { type: RequestType.Bearer, store: shop, apiKey: API_KEY, apiSecretKey: SECRET },
    new Request(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER },
      body: new URLSearchParams(fields),
    }),
  );
  const response = await fetch(request, { redirect: "manual" });
  return { status: response.status, location: response.headers.get("location"), html: await response.text() };
}

const MARCH = "from=2026-03-01&to=2026-03-31";

describe("embedded pages", () => {
  it("serves every page of the shop's own store", async () => {
    const pages: [string, string[]][] = [
      [`/app?${MARCH}`, ["Overview", "Creators by attributed revenue", "Ben", a.store.id]],
      ["/app/campaigns", ["Campaigns", "Spring"]],
      ["/app/campaigns/new", ["New campaign", "Attribution model"]],
      [`/app/campaigns/${a.campaign.id}`, ["Spring", "Per-creator commission"]],
      ["/app/creators", ["Ada", "Ben", "Cy"]],
      [`/app/creators/${a.creators[0]!.id}`, ["Ada", "Tracking links", `${APP_URL}/c/${a.links[0]!.code}`]],
      ["/app/conversions", ["Conversions", "Order #1001", "Order #1004"]],
      [`/app/conversions/${a.orders.shared.conversionId}`, ["Journey", "Who earned it", "$20.00"]],
      [`/app/models?${MARCH}`, ["Model comparison", "Position based"]],
      ["/app/settings", ["Web pixel", "API keys", "Webhooks"]],
    ];
    for (const [path, texts] of pages) {
      const { status, html } = await open("shop-a", path);
      expect(status, `${path}: ${html.slice(0, 300)}`).toBe(200);
      for (const text of texts) expect(html, `${path} shows ${text}`).toContain(text);
      expect(html, path).not.toContain(b.store.id);
    }
  });

  it("lets only Shopify admin and the verified session's shop frame its documents, never the ?shop= named", async () => {
    const request = await setUpValidRequest(
      { type: RequestType.Admin, store: "shop-a", apiKey: API_KEY, apiSecretKey: SECRET },
      new Request(`${server.url}/app/campaigns`),
    );
    const url = new URL(request.url);
    const honest = await fetch(url, { headers: { "user-agent": BROWSER }, redirect: "manual" });
    expect(honest.status).toBe(200);
    expect(honest.headers.get("content-security-policy")).toBe(
      "frame-ancestors https://shop-a.myshopify.com https://admin.shopify.com;",
    );
    // The token is shop-a's; the unauthenticated parameter names someone else's shop.
    url.searchParams.set("shop", "attacker.myshopify.com");
    const forged = await fetch(url, { headers: { "user-agent": BROWSER }, redirect: "manual" });
    expect(forged.headers.get("content-security-policy") ?? "").not.toContain("attacker");
    // Without a session, Shopify's pages may be framed by Shopify admin alone.
    const bounce = await fetch(`${server.url}/auth/session-token?shop=attacker.myshopify.com&shopify-reload=/app`, {
      headers: { "user-agent": BROWSER },
    });
    expect(bounce.headers.get("content-security-policy")).toBe("frame-ancestors https://admin.shopify.com;");
  });

  it("refuses a request without a session token", async () => {
    const response = await fetch(`${server.url}/app/campaigns`, {
      headers: { "user-agent": BROWSER },
      redirect: "manual",
    });
    expect(response.status).not.toBe(200);
    expect(await response.text()).not.toContain("Spring");
  });

  it("creates a campaign and a creator's link from posted forms", async () => {
    const created = await submit("shop-a", "/app/campaigns/new", {
      intent: "create",
      name: "Embedded launch",
      goals: "purchase",
      attributionModel: "linear",
      "rule.purchase.type": "flat",
      "rule.purchase.value": "5.00",
    });
    expect(created.status).toBe(302);
    const campaign = await db.campaign.findFirstOrThrow({ where: { storeId: a.store.id, name: "Embedded launch" } });
    expect(created.location).toBe(`/app/campaigns/${campaign.id}?created=1`);
    const invalid = await submit("shop-a", "/app/campaigns/new", { intent: "create", name: "" });
    expect(invalid.status).toBe(400);
    expect(invalid.html).toContain("The name is required");

    const ada = a.creators[0]!.id;
    const link = await submit("shop-a", `/app/creators/${ada}`, {
      intent: "link",
      campaignId: campaign.id,
      destinationUrl: `https://${a.store.domain}/products/x`,
      code: "ada-embedded",
    });
    expect(link.status).toBe(200);
    expect(await db.trackingLink.count({ where: { storeId: a.store.id, code: "ada-embedded" } })).toBe(1);
  });

  it("repairs the web pixel through the shop's Admin API", async () => {
    fake.pixel = null;
    fake.userErrors = null;
    const repaired = await submit("shop-a", "/app/settings", { intent: "repairPixel" });
    expect(repaired.status).toBe(200);
    expect(repaired.html).toContain("The web pixel is active.");
    const store = await getStore(db, a.store.id);
    expect(store!.credentials.pixel).toMatchObject({ status: "active", id: "gid://shopify/WebPixel/7700112233" });
    expect(JSON.parse(fake.pixel!.settings)).toEqual({ accountID: a.store.id, collectorUrl: `${APP_URL}/collect` });
    const page = await open("shop-a", "/app/settings");
    expect(page.html).toContain("Active");
  });

  it("exports the shop's conversions as CSV", async () => {
    const request = await setUpValidRequest(
      { type: RequestType.Bearer, store: "shop-a", apiKey: API_KEY, apiSecretKey: SECRET },
      new Request(`${server.url}/app/conversions/export?kind=purchase`, { headers: { "user-agent": BROWSER } }),
    );
    const response = await fetch(request);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const csv = await response.text();
    expect(csv).toContain("#1001");
    expect(csv).not.toContain(b.store.id);
  });
});

describe("customer data requests", () => {
  it("answers a signed customers/data_request with the customer's export on the data requests page, as a download", async () => {
    const shop = "shop-a.myshopify.com";
    const deliver = async (topic: string, payload: unknown, path = "/webhooks/compliance") => {
      const body = shopifyJson(payload);
      const response = await fetch(`${server.url}${path}`, {
        method: "POST",
        body,
        headers: webhookHeaders({ topic, body, secret: SECRET, shop }),
      });
      expect(response.status, topic).toBe(200);
    };
    await deliver("orders/create", orderPayload(), "/webhooks/orders/create");
    const customer = { id: big(BIG_CUSTOMER_ID), email: "Jane.Doe@Example.com", phone: "+15555550100" };
    const request = { shop_domain: shop, customer, orders_requested: [big(BIG_ORDER_ID)], data_request: { id: 9999 } };
    await deliver("customers/data_request", request);
    await createShopifyInboxWorker(db, { log: () => {} }).drain();

    const page = await open("shop-a", "/app/data-requests");
    expect(page.status, page.html.slice(0, 300)).toBe(200);
    expect(page.html).toContain("Customer data requests");
    expect(page.html).toContain("9999");
    const row = await db.dataRequest.findFirstOrThrow({ where: { storeId: a.store.id, requestId: "9999" } });

    const download = async (store: string, id: string) =>
      fetch(
        await setUpValidRequest(
          { type: RequestType.Bearer, store, apiKey: API_KEY, apiSecretKey: SECRET },
          new Request(`${server.url}/app/data-requests/${id}`, { headers: { "user-agent": BROWSER } }),
        ),
      );
    const response = await download("shop-a", row.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="trailmark-data-request-9999.json"');
    const exported = (await response.json()) as { request: { id: string }; orders: { externalId: string }[] };
    expect(exported.request.id).toBe("9999");
    expect(exported.orders.map((o) => o.externalId)).toEqual([BIG_ORDER_ID]);
    // Another shop cannot download it.
    expect((await download("shop-b", row.id)).status).toBe(404);
    expect((await open("shop-b", "/app/data-requests")).html).not.toContain("9999");

    // Once the customer's data is erased, there is nothing left to give: the request goes too.
    await deliver("customers/redact", { shop_domain: shop, customer, orders_to_redact: [big(BIG_ORDER_ID)] });
    await createShopifyInboxWorker(db, { log: () => {} }).drain();
    expect((await download("shop-a", row.id)).status).toBe(404);
  });
});

describe("store isolation over HTTP", () => {
  it("answers 404 when a shop names another store's campaign, creator or conversion", async () => {
    for (const path of [
      `/app/campaigns/${b.campaign.id}`,
      `/app/creators/${b.creators[0]!.id}`,
      `/app/conversions/${b.orders.shared.conversionId}`,
      `/app?campaignId=${b.campaign.id}`,
      `/app/models?campaignId=${b.campaign.id}`,
    ]) {
      const { status, html } = await open("shop-a", path);
      expect(status, path).toBe(404);
      expect(html, path).not.toContain("Ben");
    }
  });

  it("changes nothing of another store through any form", async () => {
    const before = await snapshot(b.store.id);
    const attempts: [string, Record<string, string>][] = [
      [`/app/campaigns/${b.campaign.id}`, { intent: "status", status: "ended" }],
      ["/app/campaigns", { intent: "status", campaignId: b.campaign.id, status: "ended" }],
      [
        `/app/campaigns/${a.campaign.id}`,
        { intent: "override", creatorId: b.creators[0]!.id, goal: "purchase", "rule.type": "flat", "rule.value": "1" },
      ],
      [`/app/creators/${b.creators[0]!.id}`, { intent: "update", name: "Hijacked" }],
      ["/app/creators", { intent: "archive", creatorId: b.creators[0]!.id }],
      [
        `/app/creators/${a.creators[0]!.id}`,
        { intent: "link", campaignId: b.campaign.id, destinationUrl: `https://${b.store.domain}/` },
      ],
      [`/app/creators/${a.creators[0]!.id}`, { intent: "code", campaignId: b.campaign.id, code: "STOLEN" }],
      [`/app/creators/${a.creators[0]!.id}`, { intent: "linkStatus", linkId: b.links[0]!.id, status: "paused" }],
    ];
    for (const [path, fields] of attempts) {
      const { status } = await submit("shop-a", path, fields);
      expect(status, `${path} ${fields.intent}`).toBe(404);
    }
    const bKey = await db.apiKey.create({
      data: { id: "key_b_embedded", storeId: b.store.id, name: "b", prefix: "bprefix1", secretHash: "0".repeat(64) },
    });
    expect((await submit("shop-a", "/app/settings", { intent: "revokeKey", keyId: bKey.id })).status).toBe(404);
    await submit("shop-a", "/app/settings", { intent: "retryWebhooks" });
    const after = await snapshot(b.store.id);
    expect(after).toEqual({
      ...before,
      apiKeys: [...before.apiKeys, expect.objectContaining({ id: bKey.id, revokedAt: null })],
    });
  });
});

/** Every row of a store that an admin route could change. */
async function snapshot(storeId: string) {
  const where = { storeId };
  const [campaigns, creators, links, codes, apiKeys, inbox, commissions] = await Promise.all([
    db.campaign.findMany({ where, orderBy: { id: "asc" } }),
    db.creator.findMany({ where, orderBy: { id: "asc" } }),
    db.trackingLink.findMany({ where, orderBy: { id: "asc" } }),
    db.discountCode.findMany({ where, orderBy: { id: "asc" } }),
    db.apiKey.findMany({ where, orderBy: { id: "asc" } }),
    db.webhookInbox.findMany({ where, orderBy: { id: "asc" } }),
    db.commission.findMany({ where, orderBy: { id: "asc" } }),
  ]);
  return { campaigns, creators, links, codes, apiKeys, inbox, commissions };
}
