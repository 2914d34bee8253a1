// Trailmark web pixel. Runs in Shopify's strict sandbox (a web worker: no DOM; storage and cookies only through
// the async `browser` API). It remembers the click ids a visitor landed with and reports page views and completed
// checkouts to the Trailmark collector as the body POST /collect accepts (core/src/events/collect-schema.ts).
import { register } from "@shopify/web-pixels-extension";
import {
  formatCookie,
  type HeldClick,
  isClickId,
  type Landing,
  landingFromUrl,
  MAX_HELD,
  mergeClicks,
  orderIdOf,
  parseCookie,
  parseStored,
  STORAGE_KEY,
} from "./clicks.ts";

type Json = Record<string, unknown>;

interface PixelEvent {
  id?: unknown;
  clientId?: unknown;
  timestamp?: unknown;
  context?: { document?: { location?: { href?: unknown }; referrer?: unknown } };
  data?: unknown;
}

interface CheckoutLike {
  token?: unknown;
  order?: { id?: unknown } | null;
  totalPrice?: { amount?: unknown; currencyCode?: unknown } | null;
  currencyCode?: unknown;
  discountApplications?: unknown;
  attributes?: unknown;
}

interface Privacy {
  analyticsProcessingAllowed?: boolean;
  marketingAllowed?: boolean;
}

const str = (value: unknown, max: number): string | undefined =>
  typeof value === "string" && value !== "" ? value.slice(0, max) : undefined;

/** ISO 8601 for the collector; undefined when the sandbox's timestamp is unusable. */
function isoTime(value: unknown): string | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * The collector's idempotency key: Shopify's event id behind the event's time in base36 milliseconds, so
 * the server's index of keys grows at its end instead of taking each new key on a random page. A retry
 * sends the same event, so the same key.
 */
function eventKeyOf(event: PixelEvent): string | undefined {
  const id = str(event.id, 90);
  const time = isoTime(event.timestamp);
  return id && time ? `${Date.parse(time).toString(36)}.${id}` : id;
}

function nowOf(event: PixelEvent): number {
  const time = isoTime(event.timestamp);
  return time ? Date.parse(time) : Date.now();
}

function decimal(value: unknown): number | string | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim())) return value.trim();
  return undefined;
}

function currency(...values: unknown[]): string | undefined {
  for (const value of values) {
    if (typeof value === "string" && /^[A-Za-z]{3}$/.test(value)) return value.toUpperCase();
  }
  return undefined;
}

function discountCodes(applications: unknown): string[] {
  if (!Array.isArray(applications)) return [];
  const codes = new Set<string>();
  for (const app of applications as Json[]) {
    if (app?.type !== "DISCOUNT_CODE") continue;
    const code = str(app.code, 100) ?? str(app.title, 100);
    if (code) codes.add(code);
  }
  return [...codes].slice(0, 20);
}

/** Click ids the storefront copied into cart attributes (keys such as `_tm_click`), which reach checkout. */
function attributeClickIds(attributes: unknown): string[] {
  if (!Array.isArray(attributes)) return [];
  const ids: string[] = [];
  for (const attribute of attributes as Json[]) {
    const key = str(attribute?.key, 100);
    const value = str(attribute?.value, 2000);
    if (!key || !value || !/^_?tm_/i.test(key)) continue;
    for (const match of value.matchAll(/tm_[0-9A-Za-z]{16}/g)) if (isClickId(match[0])) ids.push(match[0]);
  }
  return ids;
}

register(({ analytics, browser, init, settings, customerPrivacy }) => {
  const store = str(settings?.accountID, 100);
  const collectorUrl = str(settings?.collectorUrl, 2000);
  let privacy: Privacy | undefined = init?.customerPrivacy;
  const allowed = () => privacy?.analyticsProcessingAllowed !== false && privacy?.marketingAllowed !== false;
  try {
    customerPrivacy?.subscribe("visitorConsentCollected", (event) => {
      privacy = event?.customerPrivacy;
    });
  } catch {
    // Older pixel managers have no consent events; init.customerPrivacy stands.
  }

  // Handlers run one at a time so a checkout never reads storage while a page view is still writing it.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (task: () => Promise<void>): Promise<void> => {
    queue = queue.then(task).catch(() => {});
    return queue;
  };

  async function send(event: Json): Promise<void> {
    if (!store || !collectorUrl) return;
    try {
      await fetch(collectorUrl, {
        method: "POST",
        keepalive: true,
        // text/plain keeps the request "simple": no CORS preflight from the sandbox.
        headers: { "content-type": "text/plain" },
        body: JSON.stringify({ store, events: [event] }),
      });
    } catch {
      // Network errors, blocked requests: the pixel never throws into the page.
    }
  }

  async function read<T>(get: () => Promise<T>): Promise<T | undefined> {
    try {
      return await get();
    } catch {
      return undefined;
    }
  }

  /** Loads the held click ids (localStorage and cookie), adds `landing`, prunes, and writes back if changed. */
  async function holdClicks(landing: Landing, now: number, href: string | undefined): Promise<HeldClick[]> {
    const stored = await read(() => browser.localStorage.getItem(STORAGE_KEY));
    const cookie = await read(() => browser.cookie.get(STORAGE_KEY));
    const fromStorage = parseStored(stored);
    const fromCookie = parseCookie(cookie, now);
    const held = mergeClicks([fromCookie, fromStorage], landing, now);
    const json = JSON.stringify(held);
    const cookieValue = formatCookie(held);
    if (json !== (stored ?? JSON.stringify([]))) {
      await read(() => browser.localStorage.setItem(STORAGE_KEY, json));
    }
    if (cookieValue !== (cookie ?? "")) {
      const maxAge = held.length ? Math.ceil((Math.max(...held.map((c) => c.exp)) - now) / 1000) : 0;
      const secure = href?.startsWith("https:") ? "; secure" : "";
      await read(() =>
        browser.cookie.set(`${STORAGE_KEY}=${cookieValue}; path=/; max-age=${maxAge}; samesite=lax${secure}`),
      );
    }
    return held;
  }

  function common(event: PixelEvent, held: HeldClick[]): Json | undefined {
    const id = eventKeyOf(event);
    const visitor = str(event.clientId, 100);
    if (!id || !visitor) return undefined;
    const doc = event.context?.document;
    return {
      id,
      visitor_id: visitor,
      occurred_at: isoTime(event.timestamp),
      url: str(doc?.location?.href, 4000),
      referrer: str(doc?.referrer, 4000),
      click_ids: held.map((c) => c.id).slice(0, MAX_HELD),
    };
  }

  analytics.subscribe("page_viewed", (event) =>
    enqueue(async () => {
      if (!allowed()) return;
      const e = event as PixelEvent;
      // page_viewed carries no data by design: the landing URL is in the event's context.
      const href = str(e.context?.document?.location?.href ?? init?.context?.document?.location?.href, 4000);
      const now = nowOf(e);
      const held = await holdClicks(landingFromUrl(href), now, href);
      const body = common(e, held);
      if (body) await send({ ...body, type: "page_view" });
    }),
  );

  analytics.subscribe("checkout_completed", (event) =>
    enqueue(async () => {
      if (!allowed()) return;
      const e = event as PixelEvent;
      const checkout = ((e.data as { checkout?: CheckoutLike } | undefined)?.checkout ?? {}) as CheckoutLike;
      const now = nowOf(e);
      const href = str(e.context?.document?.location?.href, 4000);
      const landing = landingFromUrl(href);
      landing.ids = [...new Set([...landing.ids, ...attributeClickIds(checkout.attributes)])];
      const held = await holdClicks(landing, now, href);
      const body = common(e, held);
      const checkoutToken = str(checkout.token, 200);
      const orderId = orderIdOf(checkout.order?.id);
      if (!body || (!checkoutToken && !orderId)) return;
      const code = currency(checkout.totalPrice?.currencyCode, checkout.currencyCode);
      const value = code ? decimal(checkout.totalPrice?.amount) : undefined;
      await send({
        ...body,
        type: "purchase",
        checkout_token: checkoutToken,
        order_id: orderId,
        value,
        currency: code,
        discount_codes: discountCodes(checkout.discountApplications),
      });
    }),
  );
});
