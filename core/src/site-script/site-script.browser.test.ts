import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, Cookie, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CollectEvent } from "../events/collect-schema.ts";
import { createTrackingApp, type TrackingApp } from "../http/tracking-app.ts";
import { newClickId } from "../links/click-id.ts";
import { type RunningServer, serveFetch } from "../server/node-http.ts";
import { hashCustomerRef } from "../shared/hashing.ts";
import { createStore } from "../stores/store.ts";
import { launchChromium } from "../testing/chromium.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";

// A real Chromium against the real tracking app: each test's store is a site of its own
// (http://siteN.localhost:<port>, mapped to loopback) serving HTML pages that include /t.js, and "Trailmark" is
// createTrackingApp on loopback serving /t.js and POST /collect over a fresh test database. Every store is
// created with its site's host as its domain, so the collector's origin check is the real one. Tests assert on
// what was stored (event rows), and on the requests as they arrived for what is not stored (content type,
// origin, discount codes, repeated sends).

declare global {
  interface Window {
    trailmark: { track: (type?: unknown, data?: unknown) => unknown; consent: (granted: unknown) => unknown };
    __tmSent: number;
  }
}

interface Received {
  store: string;
  event: CollectEvent;
  contentType: string;
  origin: string;
}

const DAY_S = 86_400;
const received: Received[] = [];
const rejected: { status: number; origin: string; body: string }[] = [];
let preflights = 0;
const scriptEncodings: (string | null)[] = [];

let browser: Browser;
let database: TestDatabase;
let app: TrackingApp;
let storeServer: Server;
let trailmarkServer: RunningServer;
let storePort = 0;
let trailmarkOrigin = "";

interface SiteOptions {
  consent?: "wait";
  lookbackDays?: number;
  /** Markup placed before the script tag. */
  before?: string;
  /** Leave data-store out. */
  noStore?: boolean;
  /** data-store names this store instead of the site's own. */
  dataStore?: string;
}
const sites = new Map<string, SiteOptions & { store: string }>();
let siteCount = 0;

/**
 * A store of its own for one test, created in the database with its site's host (siteN.localhost:<port>) as
 * its domain: pages under the returned base URL include /t.js with these options.
 */
async function site(options: SiteOptions = {}): Promise<{ base: string; store: string }> {
  const key = `site${++siteCount}`;
  const host = `${key}.localhost:${storePort}`;
  const { store } = await createStore(database.db, { platform: "custom", domain: host, currency: "USD" });
  sites.set(key, { ...options, store: store.id });
  return { base: `http://${host}`, store: store.id };
}

function storePage(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
  const options = sites.get(url.hostname.split(".")[0] ?? "");
  if (!options) {
    res.writeHead(url.pathname === "/favicon.ico" ? 204 : 404).end();
    return;
  }
  const attributes = [
    `src="${trailmarkOrigin}/t.js"`,
    options.noStore ? "" : `data-store="${options.dataStore ?? options.store}"`,
    options.consent ? `data-consent="${options.consent}"` : "",
    options.lookbackDays ? `data-lookback-days="${options.lookbackDays}"` : "",
  ].join(" ");
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>${url.pathname}</title><link rel="icon" href="data:,">` +
      `${options.before ?? ""}<script async ${attributes}></script></head><body><h1>${url.pathname}</h1></body></html>`,
  );
}

/** The tracking app, with every /collect request and /t.js response noted on the way. */
async function trailmark(request: Request, ctx: { clientIp: string | null }): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname === "/t.js") {
    const response = await app.handler(request, ctx);
    scriptEncodings.push(response.headers.get("content-encoding"));
    return response;
  }
  if (pathname !== "/collect") return app.handler(request, ctx);
  if (request.method === "OPTIONS") preflights++;
  const body = request.method === "POST" ? await request.clone().text() : "";
  const response = await app.handler(request, ctx);
  const origin = request.headers.get("origin") ?? "";
  if (request.method !== "POST") return response;
  if (response.status !== 202) {
    rejected.push({ status: response.status, origin, body });
    return response;
  }
  const data = JSON.parse(body) as { store: string; events?: CollectEvent[] } & CollectEvent;
  const events: CollectEvent[] = data.events ?? [(({ store: _store, ...event }) => event as CollectEvent)(data)];
  const contentType = request.headers.get("content-type") ?? "";
  for (const event of events) received.push({ store: data.store, event, contentType, origin });
  return response;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!server) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = createTrackingApp({ database, collectRateLimit: 100_000 });
  await app.start();
  trailmarkServer = await serveFetch(trailmark, { port: 0, host: "127.0.0.1" });
  trailmarkOrigin = trailmarkServer.url;
  storeServer = createServer(storePage);
  storePort = await listen(storeServer);
  browser = await launchChromium([
    // Every site's host is loopback, without asking a resolver.
    "--host-resolver-rules=MAP *.localhost 127.0.0.1",
  ]);
});

afterAll(async () => {
  await browser?.close();
  await close(storeServer);
  trailmarkServer?.server.closeAllConnections();
  await trailmarkServer?.close();
  await app?.stop();
  await database?.destroy();
});

// Each test gets its own browser context (its own cookies); page errors and console errors fail it.
const opened: { context: BrowserContext; problems: string[] }[] = [];

async function openPage(options: { initScript?: string } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const problems: string[] = [];
  opened.push({ context, problems });
  // Counts the script's calls to /collect in the page itself, so "nothing was sent" needs no waiting.
  await context.addInitScript(`(() => {
    window.__tmSent = 0;
    const fetch = window.fetch;
    if (fetch) window.fetch = function (input, init) {
      if (String(input).indexOf("/collect") >= 0) window.__tmSent++;
      return fetch.call(this, input, init);
    };
    const beacon = navigator.sendBeacon && navigator.sendBeacon.bind(navigator);
    if (beacon) navigator.sendBeacon = (url, data) => {
      if (String(url).indexOf("/collect") >= 0) window.__tmSent++;
      return beacon(url, data);
    };
  })();`);
  if (options.initScript) await context.addInitScript(options.initScript);
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console.error: ${message.text()}`);
  });
  return { context, page };
}

afterEach(async () => {
  const all = opened.splice(0);
  await Promise.all(all.map((o) => o.context.close()));
  await app.idle();
  expect(all.flatMap((o) => o.problems)).toEqual([]);
  expect(rejected).toEqual([]);
  expect(preflights).toBe(0);
});

/** The events the collector accepted for this store, as the browser sent them (repeats included). */
const sentOf = (store: string, type?: CollectEvent["type"]) =>
  received.filter((r) => r.store === store && (!type || r.event.type === type)).map((r) => r.event);

interface StoredEvent {
  type: string;
  eventKey: string;
  source: string;
  visitor: string | null;
  occurredAt: Date;
  url: string | null;
  referrer: string | null;
  clickIds: string[];
  checkoutToken: string | null;
  orderRef: string | null;
  value: number | null;
  currency: string | null;
  name: string | null;
  customerRef: string | null;
}

/** What the collector stored for this store, in the order the browser first sent each event. */
async function eventsOf(store: string, type?: CollectEvent["type"]): Promise<StoredEvent[]> {
  await app.idle();
  const { db } = database;
  const rows = await db.event.findMany({ where: { storeId: store, ...(type ? { type } : {}) } });
  const visitors = new Map(
    (await db.visitor.findMany({ where: { storeId: store } })).map((v) => [v.id, v.externalId] as const),
  );
  const order = sentOf(store).map((e) => e.id);
  return rows
    .sort((a, b) => order.indexOf(a.eventKey) - order.indexOf(b.eventKey))
    .map((row) => ({
      type: row.type,
      eventKey: row.eventKey,
      source: row.source,
      visitor: row.visitorId ? (visitors.get(row.visitorId) ?? null) : null,
      occurredAt: row.occurredAt,
      url: row.url,
      referrer: row.referrer,
      clickIds: JSON.parse(row.clickIds) as string[],
      checkoutToken: row.checkoutToken,
      orderRef: row.orderRef,
      value: row.value === null ? null : Number(row.value),
      currency: row.currency,
      name: row.name,
      customerRef: row.customerRef,
    }));
}

/** Waits until the collector has accepted `count` events of this type for this store, then reads what it stored. */
async function waitForEvents(store: string, type: CollectEvent["type"], count = 1): Promise<StoredEvent[]> {
  await expect.poll(() => sentOf(store, type).length, { timeout: 15_000, interval: 25 }).toBeGreaterThanOrEqual(count);
  return eventsOf(store, type);
}

async function trailmarkReady(page: Page): Promise<void> {
  await page.waitForFunction(
    () => typeof window.trailmark === "object" && typeof window.trailmark.track === "function",
  );
}

const cookie = (cookies: Cookie[], name: string) => cookies.find((c) => c.name === name);
const inDays = (days: number) => Date.now() / 1000 + days * DAY_S;

describe("GET /t.js in a browser", () => {
  it("landing with tm_click stores the cookie; the page_view carries the click id and visitor id", async () => {
    const { base, store } = await site();
    const clickId = newClickId();
    const { context, page } = await openPage();
    await page.goto(`${base}/products/mug?tm_click=${clickId}&utm_id=${clickId}&utm_source=instagram`);
    const [view] = await waitForEvents(store, "page_view");

    const cookies = await context.cookies(base);
    const clicks = cookie(cookies, "_tm_clk");
    const visitor = cookie(cookies, "_tm_vid");
    expect(clicks?.value).toMatch(new RegExp(`^${clickId}\\.\\d+$`));
    expect(clicks).toMatchObject({ path: "/", sameSite: "Lax", secure: false, httpOnly: false });
    expect(clicks!.expires).toBeCloseTo(inDays(30), -2); // default lookback
    expect(visitor?.value).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(visitor!.expires).toBeCloseTo(inDays(90), -2);

    expect(view).toMatchObject({
      type: "page_view",
      clickIds: [clickId],
      visitor: visitor!.value,
      url: `${base}/products/mug?tm_click=${clickId}&utm_id=${clickId}&utm_source=instagram`,
      referrer: null,
      checkoutToken: null,
      orderRef: null,
    });
    // Time first (base36 milliseconds), then 14 random characters.
    expect(view!.eventKey).toMatch(/^[0-9a-z]{8}[0-9A-Za-z]{14}$/);
    expect(Number.parseInt(view!.eventKey.slice(0, 8), 36)).toBeGreaterThan(Date.now() - 3_600_000);
    expect(Math.abs(view!.occurredAt.getTime() - Date.now())).toBeLessThan(60_000);
    // The visitor is a row of the store's own.
    expect(await database.db.visitor.count({ where: { storeId: store, externalId: visitor!.value } })).toBe(1);
    // Sent as text/plain from the store's page: a simple request, no preflight (checked after each test).
    const [record] = received.filter((r) => r.store === store);
    expect(record!.contentType).toMatch(/^text\/plain/);
    expect(record!.origin).toBe(base);
    expect(scriptEncodings).toContain("gzip");
  });

  it("a later page without the param still carries the stored click id and the same visitor", async () => {
    const { base, store } = await site();
    const clickId = newClickId();
    const { page } = await openPage();
    await page.goto(`${base}/landing?tm_click=${clickId}&tm_lb=14`);
    const [landing] = await waitForEvents(store, "page_view", 1);
    // Navigate as a visitor would (a link), so that the page has a referrer.
    await page.evaluate((href) => {
      location.href = href;
    }, `${base}/cart`);
    await page.waitForURL(`${base}/cart`);
    const views = await waitForEvents(store, "page_view", 2);
    const later = views.find((v) => v.url === `${base}/cart`);
    expect(later).toMatchObject({ clickIds: [clickId], visitor: landing!.visitor });
    expect(later!.eventKey).not.toBe(landing!.eventKey);
    expect(later!.referrer).toBe(`${base}/landing?tm_click=${clickId}&tm_lb=14`);
  });

  it("takes utm_id only when it is a Trailmark click id", async () => {
    const { base, store } = await site();
    const clickId = newClickId();
    const { context, page } = await openPage();
    await page.goto(`${base}/a?utm_id=spring_sale&utm_source=newsletter`);
    const [first] = await waitForEvents(store, "page_view", 1);
    expect(first!.clickIds).toEqual([]);
    expect(cookie(await context.cookies(base), "_tm_clk")).toBeUndefined();
    await page.goto(`${base}/b?utm_id=${clickId}`);
    const views = await waitForEvents(store, "page_view", 2);
    expect(views.find((v) => v.url?.endsWith("/b?utm_id=" + clickId))!.clickIds).toEqual([clickId]);
    expect(cookie(await context.cookies(base), "_tm_clk")?.value).toContain(clickId);
  });

  it("keeps up to 10 recent click ids, most recent first, each with its own expiry", async () => {
    const { base, store } = await site();
    const { context, page } = await openPage();
    const first = newClickId();
    const second = newClickId();
    await page.goto(`${base}/p?tm_click=${first}&tm_lb=7`);
    await waitForEvents(store, "page_view", 1);
    await page.goto(`${base}/p?tm_click=${second}&tm_lb=30`);
    await waitForEvents(store, "page_view", 2);
    await page.goto(`${base}/home`);
    const views = await waitForEvents(store, "page_view", 3);
    expect(views.find((v) => v.url === `${base}/home`)!.clickIds).toEqual([second, first]);

    const clicks = cookie(await context.cookies(base), "_tm_clk")!;
    const entries = clicks.value.split("|").map((e) => e.split("."));
    expect(entries.map(([id]) => id)).toEqual([second, first]);
    expect(Number(entries[0]![1])).toBeCloseTo(inDays(30), -2);
    expect(Number(entries[1]![1])).toBeCloseTo(inDays(7), -2);
    expect(clicks.expires).toBeCloseTo(inDays(30), -2); // the cookie lives as long as its newest entry

    const more = Array.from({ length: 10 }, () => newClickId());
    for (const id of more) await page.goto(`${base}/p?tm_click=${id}`);
    await page.goto(`${base}/last`);
    await expect
      .poll(() => sentOf(store, "page_view").find((v) => v.url === `${base}/last`), { timeout: 15_000, interval: 25 })
      .toBeDefined();
    const last = (await eventsOf(store, "page_view")).find((v) => v.url === `${base}/last`)!;
    expect(last.clickIds).toEqual([...more].reverse());
  });

  it("the lookback from tm_lb sets the cookie expiry, capped at 90 days; data-lookback-days is the default", async () => {
    const cases: { options: SiteOptions; query: string; days: number }[] = [
      { options: {}, query: "&tm_lb=7", days: 7 },
      { options: {}, query: "&tm_lb=365", days: 90 },
      { options: { lookbackDays: 14 }, query: "", days: 14 },
      { options: { lookbackDays: 14 }, query: "&tm_lb=3", days: 3 },
      { options: { lookbackDays: 500 }, query: "&tm_lb=nonsense", days: 90 },
    ];
    for (const { options, query, days } of cases) {
      const { base, store } = await site(options);
      const clickId = newClickId();
      const { context, page } = await openPage();
      await page.goto(`${base}/?tm_click=${clickId}${query}`);
      await waitForEvents(store, "page_view");
      const clicks = cookie(await context.cookies(base), "_tm_clk");
      expect(clicks?.value, query).toContain(clickId);
      expect(clicks!.expires, `${JSON.stringify(options)} ${query}`).toBeCloseTo(inDays(days), -2);
      expect(cookie(await context.cookies(base), "_tm_vid")!.expires).toBeCloseTo(inDays(90), -2);
    }
  });

  it("trailmark.track sends sign_up, purchase and custom events, and never throws on bad input", async () => {
    const { base, store } = await site();
    const clickId = newClickId();
    const { page } = await openPage();
    await page.goto(`${base}/signup?tm_click=${clickId}`);
    await trailmarkReady(page);
    const results = await page.evaluate(() => {
      const t = window.trailmark;
      return [
        t.track("sign_up", { customer: "ada@example.com" }),
        t.track("custom", { name: "newsletter", value: 5, currency: "eur" }),
        t.track("video_play"),
        t.track("purchase", { order_id: 99, value: "19.99", currency: "USD", discount_codes: ["ADA10"] }),
        // Ignored, not thrown:
        t.track(),
        t.track(null, 5),
        t.track("purchase", {}),
        t.track("custom", { value: 1 }),
        t.track("sign_up", { customer: { toString: null } }),
        t.consent(true),
      ];
    });
    expect(results.every((r) => r === undefined)).toBe(true);

    const [signUp] = await waitForEvents(store, "sign_up");
    expect(signUp).toMatchObject({
      customerRef: hashCustomerRef("ada@example.com"), // stored hashed, never as sent
      clickIds: [clickId],
      url: `${base}/signup?tm_click=${clickId}`,
    });
    const [view] = await eventsOf(store, "page_view");
    expect(signUp!.visitor).toBe(view!.visitor);

    const customs = await waitForEvents(store, "custom", 2);
    expect(customs.map((e) => [e.name, e.value, e.currency])).toEqual([
      ["newsletter", 500, "EUR"],
      ["video_play", null, null],
    ]);
    const [purchase] = await waitForEvents(store, "purchase");
    expect(purchase).toMatchObject({
      eventKey: "purchase:99",
      orderRef: "99",
      checkoutToken: null,
      value: 1999,
      currency: "USD",
      clickIds: [clickId],
    });
    // Discount codes travel with the purchase but the collector keeps none from browser events.
    expect(sentOf(store, "purchase")).toMatchObject([{ discount_codes: ["ADA10"] }]);
    const signUps = await eventsOf(store, "sign_up");
    expect(signUps).toHaveLength(2); // the one with a bad customer is sent without it
    expect(signUps[1]!.customerRef).toBeNull();
    expect(sentOf(store, "sign_up")[1]).not.toHaveProperty("customer");
  });

  it("the WooCommerce order-received page sends one purchase (same event id) even when reloaded", async () => {
    const { base, store } = await site();
    const clickId = newClickId();
    const { page } = await openPage();
    await page.goto(`${base}/?tm_click=${clickId}&utm_source=tiktok`);
    await waitForEvents(store, "page_view", 1);
    const thankYou = `${base}/checkout/order-received/4321/?key=wc_order_AbCdEf123`;
    await page.goto(thankYou);
    const [purchase] = await waitForEvents(store, "purchase", 1);
    expect(purchase).toMatchObject({
      type: "purchase",
      eventKey: "purchase:4321",
      orderRef: "4321",
      checkoutToken: "wc_order_AbCdEf123", // the order key is what joins the WooCommerce order
      clickIds: [clickId],
      url: thankYou,
    });
    await page.reload();
    await waitForEvents(store, "page_view", 3);
    await waitForEvents(store, "purchase", 2);
    // Sent twice with the same event id, stored once.
    expect(new Set(sentOf(store, "purchase").map((p) => p.id))).toEqual(new Set(["purchase:4321"]));
    expect(await eventsOf(store, "purchase")).toMatchObject([{ eventKey: "purchase:4321", orderRef: "4321" }]);
    // The page_view on the thank-you page has its own random id each time.
    const thankYouViews = (await eventsOf(store, "page_view")).filter((v) => v.url === thankYou);
    expect(new Set(thankYouViews.map((v) => v.eventKey)).size).toBe(2);
  });

  it("recognises ?order-received=<id>&key=… (plain permalinks) and ignores order pages without a wc_order_ key", async () => {
    const { base, store } = await site();
    const { page } = await openPage();
    await page.goto(`${base}/checkout/order-received/55/`);
    await page.goto(`${base}/checkout/order-received/56/?key=not_a_key`);
    await page.goto(`${base}/?page_id=7&order-received=77&key=wc_order_Xyz`);
    const [purchase] = await waitForEvents(store, "purchase", 1);
    expect(purchase).toMatchObject({ eventKey: "purchase:77", orderRef: "77", checkoutToken: "wc_order_Xyz" });
    // Each page's events travel in one request, so once its page_view is in, its purchase would be too.
    await waitForEvents(store, "page_view", 3);
    expect(await eventsOf(store, "purchase")).toHaveLength(1);
  });

  it('with data-consent="wait" nothing is stored or sent until consent(true); consent(false) clears the cookies', async () => {
    const { base, store } = await site({ consent: "wait" });
    const clickId = newClickId();
    const { context, page } = await openPage();
    await page.goto(`${base}/landing?tm_click=${clickId}`);
    await trailmarkReady(page);
    await page.evaluate(() => window.trailmark.track("sign_up", { customer: "grace@example.com" }));
    // The script flushes in a microtask of the task that queued the event: by now it would have sent.
    expect(await page.evaluate(() => ({ sent: window.__tmSent, cookie: document.cookie }))).toEqual({
      sent: 0,
      cookie: "",
    });
    expect(await context.cookies()).toEqual([]);
    expect(await eventsOf(store)).toEqual([]);

    await page.evaluate(() => window.trailmark.consent(true));
    const [view] = await waitForEvents(store, "page_view");
    const [signUp] = await waitForEvents(store, "sign_up");
    expect(view).toMatchObject({ clickIds: [clickId], url: `${base}/landing?tm_click=${clickId}` });
    expect(signUp).toMatchObject({
      customerRef: hashCustomerRef("grace@example.com"),
      visitor: view!.visitor,
      clickIds: [clickId],
    });
    const cookies = await context.cookies(base);
    expect(cookie(cookies, "_tm_clk")?.value).toContain(clickId);
    expect(cookie(cookies, "_tm_vid")?.value).toBe(view!.visitor);

    await page.evaluate(() => window.trailmark.consent(false));
    expect(await context.cookies()).toEqual([]);
    const sentBefore = await page.evaluate(() => window.__tmSent);
    await page.evaluate(() => window.trailmark.track("sign_up"));
    expect(await page.evaluate(() => window.__tmSent)).toBe(sentBefore);

    // The next page waits again: nothing is read or written until the consent manager says yes.
    await page.goto(`${base}/next`);
    await trailmarkReady(page);
    expect(await page.evaluate(() => window.__tmSent)).toBe(0);
    expect(await context.cookies()).toEqual([]);
    expect(await eventsOf(store, "page_view")).toHaveLength(1);
    expect(await eventsOf(store, "sign_up")).toHaveLength(1);
  });

  it("replays calls queued in window.trailmark before the script loaded", async () => {
    const { base, store } = await site({
      consent: "wait",
      before: `<script>window.trailmark = window.trailmark || []; window.trailmark.push(["consent", true]);</script>`,
    });
    const clickId = newClickId();
    const { context, page } = await openPage();
    await page.goto(`${base}/?tm_click=${clickId}`);
    const [view] = await waitForEvents(store, "page_view");
    expect(view!.clickIds).toEqual([clickId]);
    expect(cookie(await context.cookies(base), "_tm_clk")?.value).toContain(clickId);
  });

  it("falls back to navigator.sendBeacon when fetch is missing", async () => {
    const { base, store } = await site();
    const clickId = newClickId();
    const { page } = await openPage({ initScript: "window.fetch = undefined;" });
    await page.goto(`${base}/?tm_click=${clickId}`);
    const [view] = await waitForEvents(store, "page_view");
    expect(view!.clickIds).toEqual([clickId]);
    const [record] = received.filter((r) => r.store === store);
    expect(record!.contentType).toMatch(/^text\/plain/);
  });

  it("without data-store it sends nothing and throws nothing", async () => {
    const { base } = await site({ noStore: true });
    const { context, page } = await openPage();
    await page.goto(`${base}/?tm_click=${newClickId()}`);
    await trailmarkReady(page);
    await page.evaluate(() => window.trailmark.track("sign_up"));
    expect(await page.evaluate(() => window.__tmSent)).toBe(0);
    // Click ids are still kept, so a later page with the tag fixed can report them.
    expect(cookie(await context.cookies(base), "_tm_clk")).toBeDefined();
  });

  it("a page on a host that is not the store's gets 403 from the collector and nothing is stored", async () => {
    const { store } = await site();
    const { base: elsewhere } = await site({ dataStore: store });
    const { page } = await openPage();
    await page.goto(`${elsewhere}/?tm_click=${newClickId()}`);
    await expect.poll(() => rejected.length, { timeout: 15_000, interval: 25 }).toBeGreaterThanOrEqual(1);
    expect(rejected.splice(0)).toEqual([expect.objectContaining({ status: 403, origin: elsewhere })]);
    // The refusal carries no Access-Control-Allow-Origin, so the page cannot even read it: the browser reports
    // a failed (CORS-blocked) request on the console; that is the one problem this test expects.
    const { problems } = opened.at(-1)!;
    await expect.poll(() => problems.length, { timeout: 15_000, interval: 25 }).toBeGreaterThanOrEqual(1);
    const reported = problems.splice(0);
    expect(reported.length).toBeGreaterThanOrEqual(1);
    for (const problem of reported) expect(problem).toMatch(/net::ERR_FAILED|CORS/);
    expect(await eventsOf(store)).toEqual([]);
  });
});
