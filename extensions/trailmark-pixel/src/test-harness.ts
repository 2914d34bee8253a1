// Test harness for the web pixel, shared by its own tests and the Shopify journey test: builds the real bundle
// (as Shopify CLI would) and runs it in a simulated strict sandbox (node:vm with a worker-like global: self,
// fetch, no document/window) whose `shopify.extend("WebPixel::Render", fn)` is what
// @shopify/web-pixels-extension's register() calls; plus standard events in the shape Shopify documents (id,
// name, type, clientId, timestamp, seq, context, data).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import vm from "node:vm";
import { buildPixel } from "../build.mjs";

export interface BuiltPixel {
  code: string;
  bytes: number;
}

/** Builds the pixel bundle into a temporary directory and returns its code. */
export async function buildPixelBundle(): Promise<BuiltPixel> {
  const dir = mkdtempSync(join(tmpdir(), "trailmark-pixel-"));
  try {
    const built = await buildPixel({ outfile: join(dir, "main.js") });
    return { code: readFileSync(built.outfile, "utf8"), bytes: built.bytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Callback = (event: unknown) => unknown;

export interface SandboxOptions {
  /** The bundle's code (buildPixelBundle().code). */
  bundle: string;
  /** The pixel's settings as the app configured them: accountID, collectorUrl. */
  settings: Record<string, unknown>;
  /** The storefront's origin, for init.context and init.data.shop. */
  shop?: string;
  cookies?: Map<string, string>;
  storage?: Map<string, string>;
  fetch?: (input: unknown, init?: unknown) => Promise<unknown>;
  customerPrivacy?: { analyticsProcessingAllowed: boolean; marketingAllowed: boolean };
  failingStorage?: boolean;
}

export type Sandbox = ReturnType<typeof runPixel>;

/** Runs the bundle in a fresh sandbox with the async browser/analytics APIs a strict web pixel gets. */
export function runPixel(options: SandboxOptions) {
  const shop = options.shop ?? "https://anna-shop.myshopify.com";
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
    settings: options.settings,
    analytics: {
      subscribe(name: string, callback: Callback) {
        subscribers.set(name, [...(subscribers.get(name) ?? []), callback]);
        return () => true;
      },
    },
    browser,
    init: {
      context: shopifyContext(`${shop}/`),
      data: {
        customer: null,
        cart: null,
        shop: { name: "Anna's Shop", myShopifyDomain: new URL(shop).host, countryCode: "DE" },
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
    AbortController,
    setTimeout,
    clearTimeout,
  });
  vm.runInContext("globalThis.self = globalThis;", context);
  vm.runInContext(options.bundle, context, { filename: "main.js" });

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
// Standard events.

let seq = 0;

export function shopifyContext(href: string, referrer = "") {
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

export function pageViewed(options: { href: string; at: number; clientId: string; referrer?: string }) {
  seq += 1;
  return {
    id: `sh-page-${seq}`,
    name: "page_viewed",
    type: "standard",
    clientId: options.clientId,
    timestamp: new Date(options.at).toISOString(),
    seq,
    context: shopifyContext(options.href, options.referrer),
    data: {},
  };
}

export interface CheckoutOptions {
  at: number;
  clientId: string;
  /** The storefront's origin; the thank-you page is under it. */
  shop: string;
  /** Checkout token (Shopify's checkout_token on the order). */
  token?: string | null;
  /** The order's id as the pixel sees it (gid://shopify/OrderIdentity/<id>). */
  orderId?: string | number | null;
  currency?: string;
  /** Totals as decimal amounts, as Shopify's MoneyV2 gives them. */
  subtotal?: number;
  total?: number;
  tax?: number;
}

export function checkoutCompleted(options: CheckoutOptions, overrides: Record<string, unknown> = {}) {
  seq += 1;
  const currency = options.currency ?? "EUR";
  const total = options.total ?? 59.99;
  const money = (amount: number) => ({ amount, currencyCode: currency });
  const orderId = options.orderId === undefined ? "gid://shopify/OrderIdentity/5551234" : options.orderId;
  return {
    id: `sh-checkout-${seq}`,
    name: "checkout_completed",
    type: "standard",
    clientId: options.clientId,
    timestamp: new Date(options.at).toISOString(),
    seq,
    context: shopifyContext(`${options.shop}/checkouts/cn/Z2NwLWV1/thank-you`),
    data: {
      checkout: {
        attributes: [],
        billingAddress: null,
        buyerAcceptsEmailMarketing: false,
        buyerAcceptsSmsMarketing: false,
        currencyCode: currency,
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
            finalLinePrice: money(total),
            variant: { id: "4711", price: money(total + 11), product: { id: "99", title: "Trail shoes" } },
          },
        ],
        localization: { country: { isoCode: "DE" }, language: { isoCode: "de" }, market: null },
        order: orderId === null ? null : { id: orderId, customer: { id: null, isFirstOrder: true } },
        phone: null,
        shippingAddress: null,
        shippingLine: { price: money(0) },
        smsMarketingPhone: null,
        subtotalPrice: money(options.subtotal ?? total),
        token: options.token === undefined ? "c1-5f2b7e0d9a8c4b3e" : options.token,
        totalPrice: money(total),
        totalTax: money(options.tax ?? 9.58),
        transactions: [],
        ...overrides,
      },
    },
  };
}
