// Builds the real pixel bundle, runs it in a simulated strict sandbox (node:vm with a worker-like global: self,
// fetch, no document/window; see test-harness.ts) and checks what the real collector (createTrackingApp's
// POST /collect on loopback, over a fresh test database) stored from what the pixel sent.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import vm from "node:vm";
import type { CollectEvent } from "@trailmark/core/events";
import { createTrackingApp, type TrackingApp } from "@trailmark/core/http";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { createStore } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_BUNDLE_BYTES } from "../build.mjs";
import { landingFromUrl, lookbackDays, mergeClicks, orderIdOf, parseCookie } from "./clicks.ts";
import {
  buildPixelBundle,
  checkoutCompleted as checkoutEvent,
  pageViewed as pageEvent,
  runPixel,
  type SandboxOptions,
} from "./test-harness.ts";

const DAY = 86_400_000;
const T0 = Date.parse("2025-03-01T12:00:00.000Z");
const CLICK_A = "tm_AbCdEfGh12345678";
const CLICK_B = "tm_ZyXwVuTs98765432";
const VISITOR = "f3c9a2d1-5b6e-4c7a-9d8e-0a1b2c3d4e5f";
const SHOP = "https://anna-shop.myshopify.com";

// ---------------------------------------------------------------------------------------------------------------
// The real collector on loopback. Each test gets a store of its own (the pixel's accountID); every /collect
// request is recorded as it arrived (content type, body, status) so that what travels but is not stored
// (discount codes) can still be checked.

interface Received {
  contentType: string | null;
  body: string;
  status: number;
}

let database: TestDatabase;
let app: TrackingApp;
let server: RunningServer;
let collectorUrl = "";
let storeId = "";
let storeCount = 0;
let received: Received[] = [];
let bundle = "";
let bundleBytes = 0;

/** A loopback URL nothing listens on. */
async function deadUrl(): Promise<string> {
  const dead = createServer();
  await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
  const { port } = dead.address() as AddressInfo;
  await new Promise((resolve) => dead.close(resolve));
  return `http://127.0.0.1:${port}/collect`;
}

beforeAll(async () => {
  const built = await buildPixelBundle();
  bundle = built.code;
  bundleBytes = built.bytes;
  database = await createTestDatabase();
  app = createTrackingApp({ database, collectRateLimit: 100_000 });
  await app.start();
  server = await serveFetch(
    async (request, ctx) => {
      if (new URL(request.url).pathname !== "/collect") return app.handler(request, ctx);
      const body = await request.clone().text();
      const response = await app.handler(request, ctx);
      received.push({ contentType: request.headers.get("content-type"), body, status: response.status });
      return response;
    },
    { port: 0, host: "127.0.0.1" },
  );
  collectorUrl = `${server.url}/collect`;
});

afterAll(async () => {
  await server?.close();
  await app?.stop();
  await database?.destroy();
});

beforeEach(async () => {
  received = [];
  const { store } = await createStore(database.db, {
    platform: "shopify",
    domain: `anna-shop-${++storeCount}.myshopify.com`,
    currency: "EUR",
  });
  storeId = store.id;
});

afterEach(async () => {
  await app.idle();
  // Every body the pixel sent must have been accepted by the collector.
  expect(received.filter((r) => r.status !== 202)).toEqual([]);
});

function sandbox(
  options: Omit<SandboxOptions, "bundle" | "settings" | "shop"> & { settings?: SandboxOptions["settings"] } = {},
) {
  return runPixel({ bundle, shop: SHOP, settings: { accountID: storeId, collectorUrl }, ...options });
}

const pageViewed = (href: string, at: number, referrer = "") => pageEvent({ href, at, referrer, clientId: VISITOR });
// The key the pixel sends: Shopify's event id, alone.
const eventKeyOf = (event: { id: string; timestamp: string }) => event.id;

const checkoutCompleted = (at: number, overrides: Record<string, unknown> = {}) =>
  checkoutEvent({ at, clientId: VISITOR, shop: SHOP }, overrides);
const landing = (query: string) => `${SHOP}/products/trail-shoes?${query}`;

/** The events as the pixel sent them, in order, with the store each body named. */
function sent(): (CollectEvent & { store: string })[] {
  return received.flatMap((r) => {
    const body = JSON.parse(r.body) as { store: string; events: CollectEvent[] };
    return body.events.map((e) => ({ ...e, store: body.store }));
  });
}

interface StoredEvent {
  type: string;
  eventKey: string;
  source: string;
  visitor: string | null;
  occurredAt: string;
  url: string | null;
  referrer: string | null;
  clickIds: string[];
  checkoutToken: string | null;
  orderRef: string | null;
  value: number | null;
  currency: string | null;
}

/** What the collector stored for this test's store, in the order the pixel sent it. */
async function stored(): Promise<StoredEvent[]> {
  await app.idle();
  const { db } = database;
  const rows = await db.event.findMany({ where: { storeId } });
  const visitors = new Map(
    (await db.visitor.findMany({ where: { storeId } })).map((v) => [v.id, v.externalId] as const),
  );
  const order = sent().map((e) => e.id);
  return rows
    .sort((a, b) => order.indexOf(a.eventKey) - order.indexOf(b.eventKey))
    .map((row) => ({
      type: row.type,
      eventKey: row.eventKey,
      source: row.source,
      visitor: row.visitorId ? (visitors.get(row.visitorId) ?? null) : null,
      occurredAt: row.occurredAt.toISOString(),
      url: row.url,
      referrer: row.referrer,
      clickIds: JSON.parse(row.clickIds) as string[],
      checkoutToken: row.checkoutToken,
      orderRef: row.orderRef,
      value: row.value === null ? null : Number(row.value),
      currency: row.currency,
    }));
}

const clickIdsStored = async () => (await stored()).map((e) => e.clickIds);

// ---------------------------------------------------------------------------------------------------------------

describe("bundle", () => {
  it("is a small self-contained script that registers through the sandbox's shopify.extend", () => {
    expect(bundleBytes).toBeLessThan(MAX_BUNDLE_BYTES);
    expect(bundleBytes).toBeLessThan(10 * 1024);
    expect(bundle).not.toMatch(/\bimport\b|\brequire\(/);
    // No DOM globals: document/window/localStorage only ever appear as properties (event.context.document,
    // browser.localStorage), never as free references.
    expect(bundle).not.toMatch(/(?<![.\w])(window|document|localStorage|sessionStorage|navigator)\b/);
    const s = sandbox();
    expect(s.extensionPoints).toEqual(["WebPixel::Render"]);
    expect(vm.runInContext("typeof document + typeof window", s.context)).toBe("undefinedundefined");
  });
});

describe("page_viewed", () => {
  it("sends a page_view carrying the landing click id and stores it for the lookback from tm_lb", async () => {
    const s = sandbox();
    const event = pageViewed(
      landing(`tm_click=${CLICK_A}&tm_lb=14&utm_source=instagram`),
      T0,
      "https://l.instagram.com/",
    );
    await s.emit("page_viewed", event);

    expect(await stored()).toEqual([
      {
        type: "page_view",
        eventKey: eventKeyOf(event),
        source: "pixel",
        visitor: VISITOR,
        occurredAt: "2025-03-01T12:00:00.000Z",
        url: event.context.document.location.href,
        referrer: "https://l.instagram.com/",
        clickIds: [CLICK_A],
        checkoutToken: null,
        orderRef: null,
        value: null,
        currency: null,
      },
    ]);
    expect(sent().map((e) => e.store)).toEqual([storeId]);
    expect(received[0]?.contentType).toBe("text/plain");
    expect(s.fetchCalls[0]?.init).toMatchObject({ method: "POST", keepalive: true });

    expect(s.held()).toEqual([{ id: CLICK_A, at: T0, exp: T0 + 14 * DAY }]);
    expect(s.cookies.get("_tm_clk")).toBe(`${CLICK_A}.${(T0 + 14 * DAY) / 1000}`); // /t.js's format
    expect(s.cookieWrites[0]).toMatch(new RegExp(`max-age=${14 * 86400}\\b`));
    expect(s.cookieWrites[0]).toMatch(/path=\/.*; secure$/);
  });

  it("keeps sending the held click id on later pages without a click id", async () => {
    const s = sandbox();
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}`), T0));
    await s.emit("page_viewed", pageViewed(`${SHOP}/cart`, T0 + 60_000));
    expect(await clickIdsStored()).toEqual([[CLICK_A], [CLICK_A]]);
    expect(s.held()[0]?.exp).toBe(T0 + 30 * DAY); // default lookback
  });

  it("accepts utm_id holding a Trailmark click id, ignores other utm_id values, and caps tm_lb at 90 days", async () => {
    const s = sandbox();
    await s.emit("page_viewed", pageViewed(landing(`utm_id=${CLICK_B}&tm_lb=365`), T0));
    await s.emit("page_viewed", pageViewed(landing("utm_id=spring-sale&tm_click=tm_short"), T0 + 1000));
    expect(await clickIdsStored()).toEqual([[CLICK_B], [CLICK_B]]);
    expect(s.held()).toEqual([{ id: CLICK_B, at: T0, exp: T0 + 90 * DAY }]);
  });

  it("drops expired click ids from storage and from what it sends", async () => {
    const s = sandbox();
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}&tm_lb=1`), T0));
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_B}&tm_lb=14`), T0 + DAY / 2));
    await s.emit("page_viewed", pageViewed(`${SHOP}/collections/all`, T0 + 2 * DAY));
    expect(await clickIdsStored()).toEqual([[CLICK_A], [CLICK_B, CLICK_A], [CLICK_B]]);
    expect(s.held().map((c) => c.id)).toEqual([CLICK_B]);
    expect(s.cookies.get("_tm_clk")).toBe(`${CLICK_B}.${(T0 + DAY / 2 + 14 * DAY) / 1000}`);

    await s.emit("page_viewed", pageViewed(`${SHOP}/`, T0 + 20 * DAY));
    expect((await clickIdsStored()).at(-1)).toEqual([]);
    expect(s.held()).toEqual([]);
    expect(s.cookies.has("_tm_clk")).toBe(false); // written with max-age=0
  });

  it("holds at most the 10 most recent click ids, most recent first", async () => {
    const s = sandbox();
    const ids = Array.from({ length: 12 }, (_, i) => `tm_${String(i).padStart(16, "0")}`);
    for (const [i, id] of ids.entries()) await s.emit("page_viewed", pageViewed(landing(`tm_click=${id}`), T0 + i));
    expect(s.held().map((c) => c.id)).toEqual(ids.slice(2).reverse());
    expect((await clickIdsStored()).at(-1)).toEqual(ids.slice(2).reverse());
  });
});

describe("checkout_completed", () => {
  it("sends a purchase with checkout token, numeric order id, value, currency, discount codes and held click ids", async () => {
    const s = sandbox();
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}&tm_lb=14`), T0));
    const event = checkoutCompleted(T0 + 3 * DAY);
    await s.emit("checkout_completed", event);

    const events = await stored();
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual({
      type: "purchase",
      eventKey: eventKeyOf(event),
      source: "pixel",
      visitor: VISITOR,
      occurredAt: new Date(T0 + 3 * DAY).toISOString(),
      url: `${SHOP}/checkouts/cn/Z2NwLWV1/thank-you`,
      referrer: null,
      clickIds: [CLICK_A],
      checkoutToken: "c1-5f2b7e0d9a8c4b3e",
      orderRef: "5551234",
      value: 5999,
      currency: "EUR",
    });
    // The collector keeps no discount codes from browser events (the order's own codes are what attribution
    // uses); the pixel still sends them, as the collector's schema allows.
    expect(sent()[1]).toMatchObject({ type: "purchase", value: 59.99, discount_codes: ["ANNA10"] });
  });

  it("sends numeric order ids as strings and falls back to checkout.currencyCode", async () => {
    const s = sandbox();
    await s.emit(
      "checkout_completed",
      checkoutCompleted(T0, {
        order: { id: 5612345678901, customer: null },
        totalPrice: { amount: 12.5, currencyCode: null },
        currencyCode: "usd",
        discountApplications: [],
      }),
    );
    expect(await stored()).toMatchObject([
      { type: "purchase", orderRef: "5612345678901", value: 1250, currency: "USD", clickIds: [] },
    ]);
    expect(sent()[0]).toMatchObject({ order_id: "5612345678901", value: 12.5, discount_codes: [] });
  });

  it("reads click ids from the cookie the storefront wrote, even with empty localStorage", async () => {
    const storefront = sandbox();
    await storefront.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}&tm_lb=7`), T0));
    const checkout = sandbox({ cookies: new Map(storefront.cookies) });
    await checkout.emit("checkout_completed", checkoutCompleted(T0 + DAY));
    expect((await clickIdsStored())[1]).toEqual([CLICK_A]);
    // The checkout's own storage now holds it too, with the storefront's expiry.
    expect(checkout.held()).toEqual([{ id: CLICK_A, at: 0, exp: T0 + 7 * DAY }]);
  });

  it("reads the _tm_clk cookie in /t.js's format, keeping its most-recent-first order", async () => {
    const exp = (T0 + 10 * DAY) / 1000;
    const expired = (T0 - DAY) / 1000;
    const cookies = new Map([["_tm_clk", `${CLICK_B}.${exp}|tm_0000000000000000.${expired}|${CLICK_A}.${exp}`]]);
    const s = sandbox({ cookies });
    await s.emit("checkout_completed", checkoutCompleted(T0));
    expect(await clickIdsStored()).toEqual([[CLICK_B, CLICK_A]]);
    expect(cookies.get("_tm_clk")).toBe(`${CLICK_B}.${exp}|${CLICK_A}.${exp}`); // expired entry pruned
  });

  it("drops click ids whose lookback ended before the purchase", async () => {
    const s = sandbox();
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}`), T0 - 40 * DAY)); // 30-day default
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_B}&tm_lb=14`), T0 - 5 * DAY));
    await s.emit("checkout_completed", checkoutCompleted(T0));
    expect((await stored()).at(-1)).toMatchObject({ type: "purchase", clickIds: [CLICK_B] });
  });

  it("picks up click ids the storefront copied into checkout attributes", async () => {
    const s = sandbox();
    await s.emit(
      "checkout_completed",
      checkoutCompleted(T0, {
        attributes: [
          { key: "_tm_click", value: CLICK_B },
          { key: "gift_note", value: `tm_${"x".repeat(16)}` },
        ],
      }),
    );
    expect(await clickIdsStored()).toEqual([[CLICK_B]]);
  });

  it("leaves out a timestamp the collector would refuse (a clock in 1970), so the purchase is still stored", async () => {
    const s = sandbox();
    await s.emit("checkout_completed", checkoutCompleted(0));
    expect(sent().map((e) => e.occurred_at)).toEqual([undefined]);
    expect((await stored()).map((e) => [e.type, e.checkoutToken])).toEqual([["purchase", "c1-5f2b7e0d9a8c4b3e"]]);
  });

  it("sends nothing when the checkout has neither token nor order id", async () => {
    const s = sandbox();
    await s.emit("checkout_completed", checkoutCompleted(T0, { token: null, order: null }));
    expect(received).toEqual([]);
    expect(await stored()).toEqual([]);
  });
});

describe("failures and privacy", () => {
  it("never throws when the collector is unreachable, fetch throws, or storage fails", async () => {
    const unreachable = sandbox({ settings: { accountID: storeId, collectorUrl: await deadUrl() } });
    await expect(
      unreachable.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}`), T0)),
    ).resolves.toBeUndefined();
    await expect(unreachable.emit("checkout_completed", checkoutCompleted(T0 + 1))).resolves.toBeUndefined();
    expect(unreachable.fetchCalls).toHaveLength(2);
    expect(unreachable.held().map((c) => c.id)).toEqual([CLICK_A]); // still remembered for the next try

    const throwing = sandbox({
      fetch: () => {
        throw new TypeError("fetch is blocked");
      },
    });
    await expect(throwing.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}`), T0))).resolves.toBeUndefined();

    const noStorage = sandbox({ failingStorage: true });
    await noStorage.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}`), T0));
    await noStorage.emit("checkout_completed", checkoutCompleted(T0 + 1));
    // Without storage the page's own click id still goes out; the purchase still goes out.
    expect((await stored()).map((e) => [e.type, e.clickIds])).toEqual([
      ["page_view", [CLICK_A]],
      ["purchase", []],
    ]);
  });

  it("keeps working after a failed send", async () => {
    let calls = 0;
    const s = sandbox({
      fetch: (input, init) => {
        calls += 1;
        return calls === 1
          ? Promise.reject(new TypeError("network down"))
          : fetch(input as string, init as RequestInit);
      },
    });
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}`), T0));
    await s.emit("checkout_completed", checkoutCompleted(T0 + 1));
    expect(await stored()).toMatchObject([{ type: "purchase", clickIds: [CLICK_A] }]);
  });

  it("sends and stores nothing without analytics and marketing consent, and follows consent changes", async () => {
    const s = sandbox({ customerPrivacy: { analyticsProcessingAllowed: true, marketingAllowed: false } });
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}`), T0));
    expect(received).toEqual([]);
    expect(await stored()).toEqual([]);
    expect(s.storage.size + s.cookies.size).toBe(0);

    await s.consent({ analyticsProcessingAllowed: true, marketingAllowed: true });
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}`), T0 + 1));
    expect(await clickIdsStored()).toEqual([[CLICK_A]]);
  });

  it("sends nothing when the collector URL is not configured", async () => {
    const s = sandbox({ settings: { accountID: storeId } });
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}`), T0));
    expect(s.fetchCalls).toEqual([]);
    expect(s.held().map((c) => c.id)).toEqual([CLICK_A]);
    expect(await stored()).toEqual([]);
  });
});

describe("click id helpers", () => {
  it("parse landing URLs and lookbacks", () => {
    expect(landingFromUrl(`/p?tm_click=${CLICK_A}&utm_id=${CLICK_A}&tm_lb=7`)).toEqual({
      ids: [CLICK_A],
      lookbackDays: 7,
    });
    expect(landingFromUrl(undefined)).toEqual({ ids: [], lookbackDays: 30 });
    expect([lookbackDays("0"), lookbackDays("abc"), lookbackDays("91"), lookbackDays(null)]).toEqual([1, 30, 90, 30]);
  });

  it("normalise Shopify order ids", () => {
    expect(orderIdOf("gid://shopify/OrderIdentity/5551234")).toBe("5551234");
    expect(orderIdOf("gid://shopify/Order/42?x=1")).toBe("42");
    expect(orderIdOf(42)).toBe("42");
    expect(orderIdOf("1001")).toBe("1001");
    expect(orderIdOf(null)).toBeUndefined();
  });

  it("read cookies leniently and merge by latest expiry", () => {
    expect(parseCookie(`${CLICK_A}.1700000000|garbage|${CLICK_B}`, T0)).toEqual([
      { id: CLICK_A, at: 0, exp: 1_700_000_000_000 },
      { id: CLICK_B, at: -1, exp: T0 + 30 * DAY },
    ]);
    const merged = mergeClicks(
      [[{ id: CLICK_A, at: 5, exp: T0 + DAY }], [{ id: CLICK_A, at: 3, exp: T0 + 2 * DAY }]],
      { ids: [], lookbackDays: 30 },
      T0,
    );
    expect(merged).toEqual([{ id: CLICK_A, at: 5, exp: T0 + 2 * DAY }]);
  });
});
