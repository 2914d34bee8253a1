// Trailmark web pixel. Runs in Shopify's strict sandbox (a web worker: no DOM; storage and cookies only through
// the async `browser` API). It remembers the click ids a visitor landed with and reports page views and completed
// checkouts to the Trailmark collector as the body POST /collect accepts (core/src/events/collect-schema.ts).
// Every event is sent on its own (keepalive, with a timeout); a completed checkout is kept in localStorage
// until the collector acknowledges it and resent from the next page, so a slow or unreachable collector or a
// visitor who leaves at once does not lose the purchase.
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

// The collector refuses dates outside the years 2000-9999 (core/src/events/collect-schema.ts).
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * ISO 8601 for the collector; undefined when the sandbox's timestamp is unusable, so the collector takes its
 * own time rather than refusing the event (a purchase must not be lost to a visitor's wrong clock).
 */
function isoTime(value: unknown): string | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) || ms < EARLIEST || ms > LATEST ? undefined : new Date(ms).toISOString();
}

/**
 * The collector's idempotency key: Shopify's event id alone, so the same event sent again (a retry, a resend
 * from storage on the next page, a redelivery with another timestamp) is stored once.
 */
function eventKeyOf(event: PixelEvent): string | undefined {
  return str(event.id, 100);
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

/** How long a send may take before it counts as failed (a collector that hangs must not hold a purchase). */
const SEND_TIMEOUT_MS = 8_000;
/** Purchases not yet acknowledged by the collector, resent on the next page until they are. */
const PENDING_KEY = "_tm_pending";
const MAX_PENDING = 10;
const PENDING_DAYS = 7;

interface PendingPurchase {
  body: Json;
  exp: number;
}

function parsePending(raw: string | null | undefined, now: number): PendingPurchase[] {
  if (!raw) return [];
  try {
    const list = JSON.parse(raw) as unknown;
    if (!Array.isArray(list)) return [];
    return (list as PendingPurchase[]).filter(
      (p) => p && typeof p.exp === "number" && p.exp > now && typeof p.body?.id === "string",
    );
  } catch {
    return [];
  }
}

type Outcome = "acknowledged" | "refused" | "failed";

register(({ analytics, browser, init, settings, customerPrivacy }) => {
  const store = str(settings?.accountID, 100);
  const collectorUrl = str(settings?.collectorUrl, 2000);
  let privacy: Privacy | undefined = init?.customerPrivacy;
  // Consent fails closed: without a consent answer from Shopify, nothing is stored or sent.
  const allowed = () => privacy?.analyticsProcessingAllowed === true && privacy?.marketingAllowed === true;
  try {
    customerPrivacy?.subscribe("visitorConsentCollected", (event) => {
      privacy = event?.customerPrivacy;
    });
  } catch {
    // Older pixel managers have no consent events; init.customerPrivacy stands.
  }

  // Storage is read and written one handler at a time, so a checkout never reads it while a page view is
  // still writing it. Sending is not queued: each event goes out on its own, at once.
  let queue: Promise<unknown> = Promise.resolve();
  function enqueue<T>(task: () => Promise<T>): Promise<T | undefined> {
    const run = queue.then(task);
    queue = run.catch(() => undefined);
    return run.catch(() => undefined);
  }

  /** One POST, with keepalive (it may outlive the page) and a timeout (a hanging collector fails it). */
  async function post(event: Json): Promise<Outcome> {
    if (!store || !collectorUrl) return "refused";
    const controller = typeof AbortController === "function" ? new AbortController() : undefined;
    const timer = controller ? setTimeout(() => controller.abort(), SEND_TIMEOUT_MS) : undefined;
    try {
      const response = await fetch(collectorUrl, {
        method: "POST",
        keepalive: true,
        // text/plain keeps the request "simple": no CORS preflight from the sandbox.
        headers: { "content-type": "text/plain" },
        body: JSON.stringify({ store, events: [event] }),
        signal: controller?.signal,
      });
      const status = (response as { status?: number } | undefined)?.status ?? 0;
      if (status >= 200 && status < 300) return "acknowledged";
      // The collector will never take this body (bad input, unknown store, foreign origin): do not resend it.
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) return "refused";
      return "failed";
    } catch {
      // Network errors, timeouts, blocked requests: the pixel never throws into the page.
      return "failed";
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  async function readPending(now: number): Promise<PendingPurchase[]> {
    return parsePending(await read(() => browser.localStorage.getItem(PENDING_KEY)), now);
  }

  async function writePending(list: PendingPurchase[]): Promise<void> {
    await read(() =>
      list.length
        ? browser.localStorage.setItem(PENDING_KEY, JSON.stringify(list.slice(-MAX_PENDING)))
        : browser.localStorage.removeItem(PENDING_KEY),
    );
  }

  const sending = new Set<string>();
  /** Sends a purchase kept in storage; forgets it once the collector acknowledged (or refused) it. */
  async function deliver(body: Json): Promise<void> {
    const id = body.id as string;
    if (sending.has(id)) return;
    sending.add(id);
    try {
      const outcome = await post(body);
      if (outcome === "failed") return;
      await enqueue(async () => writePending((await readPending(Date.now())).filter((p) => p.body.id !== id)));
    } finally {
      sending.delete(id);
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

  analytics.subscribe("page_viewed", async (event) => {
    if (!allowed()) return;
    const e = event as PixelEvent;
    const prepared = await enqueue(async () => {
      // page_viewed carries no data by design: the landing URL is in the event's context.
      const href = str(e.context?.document?.location?.href ?? init?.context?.document?.location?.href, 4000);
      const held = await holdClicks(landingFromUrl(href), nowOf(e), href);
      return { body: common(e, held), pending: await readPending(Date.now()) };
    });
    if (!prepared) return;
    // Purchases an earlier page could not get acknowledged go out again beside this page's view.
    await Promise.all([
      prepared.body ? post({ ...prepared.body, type: "page_view" }) : undefined,
      ...prepared.pending.map((p) => deliver(p.body)),
    ]);
  });

  analytics.subscribe("checkout_completed", async (event) => {
    if (!allowed()) return;
    const e = event as PixelEvent;
    const body = await enqueue(async () => {
      const checkout = ((e.data as { checkout?: CheckoutLike } | undefined)?.checkout ?? {}) as CheckoutLike;
      const now = nowOf(e);
      const href = str(e.context?.document?.location?.href, 4000);
      const landing = landingFromUrl(href);
      landing.ids = [...new Set([...landing.ids, ...attributeClickIds(checkout.attributes)])];
      const held = await holdClicks(landing, now, href);
      const base = common(e, held);
      const checkoutToken = str(checkout.token, 200);
      const orderId = orderIdOf(checkout.order?.id);
      if (!base || (!checkoutToken && !orderId)) return undefined;
      const code = currency(checkout.totalPrice?.currencyCode, checkout.currencyCode);
      const purchase: Json = {
        ...base,
        type: "purchase",
        checkout_token: checkoutToken,
        order_id: orderId,
        value: code ? decimal(checkout.totalPrice?.amount) : undefined,
        currency: code,
        discount_codes: discountCodes(checkout.discountApplications),
      };
      // Kept before it is sent: if the visitor leaves before the collector answers, the next page resends it.
      const pending = (await readPending(Date.now())).filter((p) => p.body.id !== purchase.id);
      await writePending([...pending, { body: purchase, exp: Date.now() + PENDING_DAYS * 86_400_000 }]);
      return purchase;
    });
    if (body) await deliver(body);
  });
});
