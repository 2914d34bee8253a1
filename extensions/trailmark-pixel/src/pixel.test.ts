// Builds the real pixel bundle, runs it in a simulated strict sandbox (node:vm with a worker-like global: self,
// fetch, no document/window) and checks what reaches a real HTTP /collect endpoint that validates every body with
// the collector's own schema.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import vm from "node:vm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type CollectEvent, CollectRequestSchema } from "../../../core/src/events/collect-schema.ts";
import { buildPixel, MAX_BUNDLE_BYTES } from "../build.mjs";
import { landingFromUrl, lookbackDays, mergeClicks, orderIdOf, parseCookie } from "./clicks.ts";

const DAY = 86_400_000;
const T0 = Date.parse("2025-03-01T12:00:00.000Z");
const CLICK_A = "tm_AbCdEfGh12345678";
const CLICK_B = "tm_ZyXwVuTs98765432";
const VISITOR = "f3c9a2d1-5b6e-4c7a-9d8e-0a1b2c3d4e5f";
const SHOP = "https://anna-shop.myshopify.com";

// ---------------------------------------------------------------------------------------------------------------
// A real collector on loopback.

interface Received {
  contentType: string | undefined;
  body: string;
}

const collector = {
  server: undefined as Server | undefined,
  url: "",
  received: [] as Received[],
  accepted: [] as { store: string; event: CollectEvent }[],
  rejected: [] as { body: string; issues: unknown }[],
  reset() {
    this.received = [];
    this.accepted = [];
    this.rejected = [];
  },
};

function startCollector(): Promise<void> {
  const server = createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/collect") {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      collector.received.push({ contentType: req.headers["content-type"], body: text });
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        collector.rejected.push({ body: text, issues: "not JSON" });
        res.writeHead(400).end();
        return;
      }
      const parsed = CollectRequestSchema.safeParse(json);
      if (!parsed.success) {
        collector.rejected.push({ body: text, issues: parsed.error.issues });
        res.writeHead(400).end();
        return;
      }
      const request = parsed.data;
      const events = "events" in request ? request.events : [request as CollectEvent];
      for (const event of events) collector.accepted.push({ store: request.store, event });
      res.writeHead(202, { "access-control-allow-origin": "*" }).end();
    });
  });
  collector.server = server;
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      collector.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/collect`;
      resolve();
    });
  });
}

/** A loopback URL nothing listens on. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/collect`;
}

// ---------------------------------------------------------------------------------------------------------------
// The strict sandbox: a worker-like global whose `shopify.extend("WebPixel::Render", fn)` is what
// @shopify/web-pixels-extension's register() calls, and the async browser/analytics APIs the pixel gets.

let bundle = "";
let bundleBytes = 0;
let buildDir = "";

type Callback = (event: unknown) => unknown;

interface SandboxOptions {
  settings?: Record<string, unknown>;
  cookies?: Map<string, string>;
  storage?: Map<string, string>;
  fetch?: (input: unknown, init?: unknown) => Promise<unknown>;
  customerPrivacy?: { analyticsProcessingAllowed: boolean; marketingAllowed: boolean };
  failingStorage?: boolean;
}

function sandbox(options: SandboxOptions = {}) {
  const cookies = options.cookies ?? new Map<string, string>();
  const cookieWrites: string[] = [];
  const storage = options.storage ?? new Map<string, string>();
  const subscribers = new Map<string, Callback[]>();
  const consentSubscribers: Callback[] = [];
  const fetchCalls: { url: unknown; init: Record<string, unknown> }[] = [];
  const extensionPoints: string[] = [];
  const realFetch = options.fetch ?? ((input: unknown, init?: unknown) => fetch(input as string, init as RequestInit));
  const fail = () => Promise.reject(new Error("storage unavailable"));

  const browser = {
    cookie: {
      // Like Shopify's: get(name) resolves to "" when absent; set takes "name=value; attrs" or (name, value).
      get: options.failingStorage ? fail : async (name?: string) => (name ? (cookies.get(name) ?? "") : ""),
      set: options.failingStorage
        ? fail
        : async (cookieOrName: string, value?: string) => {
            cookieWrites.push(value === undefined ? cookieOrName : `${cookieOrName}=${value}`);
            const [pair = "", ...attributes] = (value === undefined ? cookieOrName : `${cookieOrName}=${value}`).split(
              ";",
            );
            const eq = pair.indexOf("=");
            const name = pair.slice(0, eq).trim();
            const maxAge = attributes.map((a) => /^\s*max-age=(-?\d+)/i.exec(a)?.[1]).find((v) => v !== undefined);
            if (maxAge !== undefined && Number(maxAge) <= 0) cookies.delete(name);
            else cookies.set(name, pair.slice(eq + 1));
            return pair;
          },
    },
    localStorage: {
      getItem: options.failingStorage ? fail : async (key: string) => storage.get(key) ?? null,
      setItem: options.failingStorage
        ? fail
        : async (key: string, value: unknown) => {
            storage.set(key, String(value));
          },
      removeItem: async (key: string) => {
        storage.delete(key);
      },
      clear: async () => storage.clear(),
      key: async (i: number) => [...storage.keys()][i] ?? null,
      length: async () => storage.size,
    },
    sessionStorage: {},
    sendBeacon: async () => false,
  };
  const api = {
    settings: options.settings ?? { accountID: "store_anna", collectorUrl: collector.url },
    analytics: {
      subscribe(name: string, callback: Callback) {
        subscribers.set(name, [...(subscribers.get(name) ?? []), callback]);
        return () => true;
      },
    },
    browser,
    init: {
      context: shopifyContext(`${SHOP}/`),
      data: {
        customer: null,
        cart: null,
        shop: { name: "Anna's Shop", myShopifyDomain: "anna-shop.myshopify.com", countryCode: "DE" },
        purchasingCompany: null,
      },
      customerPrivacy: {
        analyticsProcessingAllowed: true,
        marketingAllowed: true,
        preferencesProcessingAllowed: false,
        saleOfDataAllowed: false,
        ...options.customerPrivacy,
      },
    },
    customerPrivacy: {
      subscribe(_name: string, callback: Callback) {
        consentSubscribers.push(callback);
        return () => true;
      },
    },
    _pixelInfo: { id: "1", type: "APP", runtimeContext: "STRICT" },
  };

  const context = vm.createContext({
    shopify: {
      extend(point: string, extend: (extensionApi: typeof api) => void) {
        extensionPoints.push(point);
        extend(api);
      },
    },
    fetch: (url: unknown, init: Record<string, unknown>) => {
      fetchCalls.push({ url, init });
      return realFetch(url, init);
    },
    URL,
    URLSearchParams,
    setTimeout,
    clearTimeout,
  });
  vm.runInContext("globalThis.self = globalThis;", context);
  vm.runInContext(bundle, context, { filename: "main.js" });

  return {
    cookies,
    cookieWrites,
    storage,
    fetchCalls,
    extensionPoints,
    context,
    /** Delivers an event to the pixel and waits for its handler (including its fetch) to finish. */
    async emit(name: string, event: unknown) {
      for (const callback of subscribers.get(name) ?? []) await callback(event);
    },
    async consent(customerPrivacy: Record<string, boolean>) {
      for (const callback of consentSubscribers) await callback({ customerPrivacy });
    },
    held(): { id: string; at: number; exp: number }[] {
      return JSON.parse(storage.get("_tm_clk") ?? "[]");
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Event payloads in the shape Shopify documents (standard events: id, name, type, clientId, timestamp, seq,
// context, data).

let seq = 0;

function shopifyContext(href: string, referrer = "") {
  const url = new URL(href);
  const location = {
    hash: url.hash,
    host: url.host,
    hostname: url.hostname,
    href: url.href,
    origin: url.origin,
    pathname: url.pathname,
    port: url.port,
    protocol: url.protocol,
    search: url.search,
  };
  return {
    document: { characterSet: "UTF-8", location, referrer, title: "Anna's Shop" },
    navigator: { cookieEnabled: true, language: "en-US", languages: ["en-US"], userAgent: "Mozilla/5.0 (test)" },
    window: {
      innerHeight: 800,
      innerWidth: 1280,
      outerHeight: 900,
      outerWidth: 1280,
      pageXOffset: 0,
      pageYOffset: 0,
      location,
      origin: url.origin,
      screen: { height: 900, width: 1440 },
      screenX: 0,
      screenY: 0,
      scrollX: 0,
      scrollY: 0,
    },
  };
}

function pageViewed(href: string, at: number, referrer = "") {
  seq += 1;
  return {
    id: `sh-page-${seq}`,
    name: "page_viewed",
    type: "standard",
    clientId: VISITOR,
    timestamp: new Date(at).toISOString(),
    seq,
    context: shopifyContext(href, referrer),
    data: {},
  };
}

function checkoutCompleted(at: number, overrides: Record<string, unknown> = {}) {
  seq += 1;
  const money = (amount: number) => ({ amount, currencyCode: "EUR" });
  return {
    id: `sh-checkout-${seq}`,
    name: "checkout_completed",
    type: "standard",
    clientId: VISITOR,
    timestamp: new Date(at).toISOString(),
    seq,
    context: shopifyContext(`${SHOP}/checkouts/cn/Z2NwLWV1/thank-you`),
    data: {
      checkout: {
        attributes: [],
        billingAddress: null,
        buyerAcceptsEmailMarketing: false,
        buyerAcceptsSmsMarketing: false,
        currencyCode: "EUR",
        delivery: null,
        discountApplications: [
          {
            allocationMethod: "ACROSS",
            targetSelection: "ALL",
            targetType: "LINE_ITEM",
            title: "ANNA10",
            type: "DISCOUNT_CODE",
            value: { percentage: 10 },
          },
          {
            allocationMethod: "ACROSS",
            targetSelection: "ALL",
            targetType: "LINE_ITEM",
            title: "Spring sale",
            type: "AUTOMATIC",
            value: money(5),
          },
        ],
        discountsAmount: money(11),
        email: "buyer@example.com",
        lineItems: [
          {
            id: "1",
            quantity: 1,
            title: "Trail shoes",
            finalLinePrice: money(59.99),
            variant: { id: "4711", price: money(70.99), product: { id: "99", title: "Trail shoes" } },
          },
        ],
        localization: { country: { isoCode: "DE" }, language: { isoCode: "de" }, market: null },
        order: { id: "gid://shopify/OrderIdentity/5551234", customer: { id: null, isFirstOrder: true } },
        phone: null,
        shippingAddress: null,
        shippingLine: { price: money(0) },
        smsMarketingPhone: null,
        subtotalPrice: money(59.99),
        token: "c1-5f2b7e0d9a8c4b3e",
        totalPrice: money(59.99),
        totalTax: money(9.58),
        transactions: [],
        ...overrides,
      },
    },
  };
}

const landing = (query: string) => `${SHOP}/products/trail-shoes?${query}`;

// ---------------------------------------------------------------------------------------------------------------

beforeAll(async () => {
  buildDir = mkdtempSync(join(tmpdir(), "trailmark-pixel-"));
  const built = await buildPixel({ outfile: join(buildDir, "main.js") });
  bundle = readFileSync(built.outfile, "utf8");
  bundleBytes = built.bytes;
  await startCollector();
});

afterAll(async () => {
  await new Promise((resolve) => collector.server?.close(resolve));
  rmSync(buildDir, { recursive: true, force: true });
});

beforeEach(() => collector.reset());
afterEach(() => {
  // Every body the pixel sent must have passed the collector's schema.
  expect(collector.rejected).toEqual([]);
});

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

    expect(collector.accepted).toEqual([
      {
        store: "store_anna",
        event: {
          type: "page_view",
          id: event.id,
          visitor_id: VISITOR,
          occurred_at: "2025-03-01T12:00:00.000Z",
          url: event.context.document.location.href,
          referrer: "https://l.instagram.com/",
          click_ids: [CLICK_A],
        },
      },
    ]);
    expect(collector.received[0]?.contentType).toBe("text/plain");
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
    expect(collector.accepted.map((a) => a.event.click_ids)).toEqual([[CLICK_A], [CLICK_A]]);
    expect(s.held()[0]?.exp).toBe(T0 + 30 * DAY); // default lookback
  });

  it("accepts utm_id holding a Trailmark click id, ignores other utm_id values, and caps tm_lb at 90 days", async () => {
    const s = sandbox();
    await s.emit("page_viewed", pageViewed(landing(`utm_id=${CLICK_B}&tm_lb=365`), T0));
    await s.emit("page_viewed", pageViewed(landing("utm_id=spring-sale&tm_click=tm_short"), T0 + 1000));
    expect(collector.accepted.map((a) => a.event.click_ids)).toEqual([[CLICK_B], [CLICK_B]]);
    expect(s.held()).toEqual([{ id: CLICK_B, at: T0, exp: T0 + 90 * DAY }]);
  });

  it("drops expired click ids from storage and from what it sends", async () => {
    const s = sandbox();
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}&tm_lb=1`), T0));
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_B}&tm_lb=14`), T0 + DAY / 2));
    await s.emit("page_viewed", pageViewed(`${SHOP}/collections/all`, T0 + 2 * DAY));
    expect(collector.accepted.map((a) => a.event.click_ids)).toEqual([[CLICK_A], [CLICK_B, CLICK_A], [CLICK_B]]);
    expect(s.held().map((c) => c.id)).toEqual([CLICK_B]);
    expect(s.cookies.get("_tm_clk")).toBe(`${CLICK_B}.${(T0 + DAY / 2 + 14 * DAY) / 1000}`);

    await s.emit("page_viewed", pageViewed(`${SHOP}/`, T0 + 20 * DAY));
    expect(collector.accepted.at(-1)?.event.click_ids).toEqual([]);
    expect(s.held()).toEqual([]);
    expect(s.cookies.has("_tm_clk")).toBe(false); // written with max-age=0
  });

  it("holds at most the 10 most recent click ids, most recent first", async () => {
    const s = sandbox();
    const ids = Array.from({ length: 12 }, (_, i) => `tm_${String(i).padStart(16, "0")}`);
    for (const [i, id] of ids.entries()) await s.emit("page_viewed", pageViewed(landing(`tm_click=${id}`), T0 + i));
    expect(s.held().map((c) => c.id)).toEqual(ids.slice(2).reverse());
    expect(collector.accepted.at(-1)?.event.click_ids).toEqual(ids.slice(2).reverse());
  });
});

describe("checkout_completed", () => {
  it("sends a purchase with checkout token, numeric order id, value, currency, discount codes and held click ids", async () => {
    const s = sandbox();
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}&tm_lb=14`), T0));
    const event = checkoutCompleted(T0 + 3 * DAY);
    await s.emit("checkout_completed", event);

    expect(collector.accepted).toHaveLength(2);
    expect(collector.accepted[1]).toEqual({
      store: "store_anna",
      event: {
        type: "purchase",
        id: event.id,
        visitor_id: VISITOR,
        occurred_at: new Date(T0 + 3 * DAY).toISOString(),
        url: `${SHOP}/checkouts/cn/Z2NwLWV1/thank-you`,
        checkout_token: "c1-5f2b7e0d9a8c4b3e",
        order_id: "5551234",
        value: 59.99,
        currency: "EUR",
        discount_codes: ["ANNA10"],
        click_ids: [CLICK_A],
      },
    });
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
    expect(collector.accepted[0]?.event).toMatchObject({
      type: "purchase",
      order_id: "5612345678901",
      value: 12.5,
      currency: "USD",
      discount_codes: [],
      click_ids: [],
    });
  });

  it("reads click ids from the cookie the storefront wrote, even with empty localStorage", async () => {
    const storefront = sandbox();
    await storefront.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}&tm_lb=7`), T0));
    const checkout = sandbox({ cookies: new Map(storefront.cookies) });
    await checkout.emit("checkout_completed", checkoutCompleted(T0 + DAY));
    expect(collector.accepted[1]?.event.click_ids).toEqual([CLICK_A]);
    // The checkout's own storage now holds it too, with the storefront's expiry.
    expect(checkout.held()).toEqual([{ id: CLICK_A, at: 0, exp: T0 + 7 * DAY }]);
  });

  it("reads the _tm_clk cookie in /t.js's format, keeping its most-recent-first order", async () => {
    const exp = (T0 + 10 * DAY) / 1000;
    const expired = (T0 - DAY) / 1000;
    const cookies = new Map([["_tm_clk", `${CLICK_B}.${exp}|tm_0000000000000000.${expired}|${CLICK_A}.${exp}`]]);
    const s = sandbox({ cookies });
    await s.emit("checkout_completed", checkoutCompleted(T0));
    expect(collector.accepted[0]?.event.click_ids).toEqual([CLICK_B, CLICK_A]);
    expect(cookies.get("_tm_clk")).toBe(`${CLICK_B}.${exp}|${CLICK_A}.${exp}`); // expired entry pruned
  });

  it("drops click ids whose lookback ended before the purchase", async () => {
    const s = sandbox();
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}`), T0 - 40 * DAY)); // 30-day default
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_B}&tm_lb=14`), T0 - 5 * DAY));
    await s.emit("checkout_completed", checkoutCompleted(T0));
    expect(collector.accepted.at(-1)?.event).toMatchObject({ type: "purchase", click_ids: [CLICK_B] });
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
    expect(collector.accepted[0]?.event.click_ids).toEqual([CLICK_B]);
  });

  it("sends nothing when the checkout has neither token nor order id", async () => {
    const s = sandbox();
    await s.emit("checkout_completed", checkoutCompleted(T0, { token: null, order: null }));
    expect(collector.received).toEqual([]);
  });
});

describe("failures and privacy", () => {
  it("never throws when the collector is unreachable, fetch throws, or storage fails", async () => {
    const unreachable = sandbox({ settings: { accountID: "store_anna", collectorUrl: await deadUrl() } });
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
    expect(collector.accepted.map((a) => [a.event.type, a.event.click_ids])).toEqual([
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
    expect(collector.accepted.map((a) => a.event.type)).toEqual(["purchase"]);
    expect(collector.accepted[0]?.event.click_ids).toEqual([CLICK_A]);
  });

  it("sends and stores nothing without analytics and marketing consent, and follows consent changes", async () => {
    const s = sandbox({ customerPrivacy: { analyticsProcessingAllowed: true, marketingAllowed: false } });
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}`), T0));
    expect(collector.received).toEqual([]);
    expect(s.storage.size + s.cookies.size).toBe(0);

    await s.consent({ analyticsProcessingAllowed: true, marketingAllowed: true });
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}`), T0 + 1));
    expect(collector.accepted.map((a) => a.event.click_ids)).toEqual([[CLICK_A]]);
  });

  it("sends nothing when the collector URL is not configured", async () => {
    const s = sandbox({ settings: { accountID: "store_anna" } });
    await s.emit("page_viewed", pageViewed(landing(`tm_click=${CLICK_A}`), T0));
    expect(s.fetchCalls).toEqual([]);
    expect(s.held().map((c) => c.id)).toEqual([CLICK_A]);
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
