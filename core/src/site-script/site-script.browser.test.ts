import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, type BrowserContext, type Cookie, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CollectEvent, CollectRequestSchema } from "../events/collect-schema.ts";
import { newClickId } from "../links/click-id.ts";
import { createSiteScriptHandler } from "./serve.ts";

// A real Chromium against two loopback origins: a store serving HTML pages that include /t.js, and
// "Trailmark" serving /t.js through createSiteScriptHandler and a /collect that validates each body with
// CollectRequestSchema and records the parsed events.

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
const rejected: { body: string; issues: unknown }[] = [];
let preflights = 0;
const scriptEncodings: (string | null)[] = [];

let browser: Browser;
let storeServer: Server;
let trailmarkServer: Server;
let storeOrigin = "";
let trailmarkOrigin = "";

interface SiteOptions {
  consent?: "wait";
  lookbackDays?: number;
  /** Markup placed before the script tag. */
  before?: string;
  /** Leave data-store out. */
  noStore?: boolean;
}
const sites = new Map<string, SiteOptions & { store: string }>();
let siteCount = 0;

/** A store of its own for one test: pages under the returned base URL include /t.js with these options. */
function site(options: SiteOptions = {}): { base: string; store: string } {
  const key = `site${++siteCount}`;
  const store = `store_${siteCount}_${Date.now().toString(36)}`;
  sites.set(key, { ...options, store });
  return { base: `${storeOrigin}/${key}`, store };
}

function storePage(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", storeOrigin);
  const key = url.pathname.split("/")[1] ?? "";
  const options = sites.get(key);
  if (!options) {
    res.writeHead(url.pathname === "/favicon.ico" ? 204 : 404).end();
    return;
  }
  const attributes = [
    `src="${trailmarkOrigin}/t.js"`,
    options.noStore ? "" : `data-store="${options.store}"`,
    options.consent ? `data-consent="${options.consent}"` : "",
    options.lookbackDays ? `data-lookback-days="${options.lookbackDays}"` : "",
  ].join(" ");
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>${url.pathname}</title><link rel="icon" href="data:,">` +
      `${options.before ?? ""}<script async ${attributes}></script></head><body><h1>${url.pathname}</h1></body></html>`,
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const siteScript = createSiteScriptHandler();

async function trailmark(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", trailmarkOrigin);
  const origin = req.headers.origin ?? "";
  if (url.pathname === "/t.js") {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const response = await siteScript(new Request(url, { method: req.method, headers }));
    scriptEncodings.push(response.headers.get("content-encoding"));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
    return;
  }
  if (url.pathname === "/collect") {
    const cors = {
      "access-control-allow-origin": origin || "*",
      "access-control-allow-methods": "POST, OPTIONS",
      "access-control-allow-headers": "content-type",
      "access-control-max-age": "600",
      vary: "Origin",
    };
    if (req.method === "OPTIONS") {
      preflights++;
      res.writeHead(204, cors).end();
      return;
    }
    const text = await readBody(req);
    let parsed: ReturnType<typeof CollectRequestSchema.safeParse>;
    try {
      parsed = CollectRequestSchema.safeParse(JSON.parse(text));
    } catch (error) {
      rejected.push({ body: text, issues: String(error) });
      res.writeHead(400, cors).end();
      return;
    }
    if (!parsed.success) {
      rejected.push({ body: text, issues: parsed.error.issues });
      res.writeHead(400, cors).end();
      return;
    }
    const data = parsed.data;
    const events: CollectEvent[] =
      "events" in data ? data.events : [(({ store: _store, ...event }) => event as CollectEvent)(data)];
    const contentType = req.headers["content-type"] ?? "";
    for (const event of events) received.push({ store: data.store, event, contentType, origin });
    res.writeHead(204, cors).end();
    return;
  }
  res.writeHead(404).end();
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
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
  storeServer = createServer(storePage);
  trailmarkServer = createServer((req, res) => {
    trailmark(req, res).catch((error: unknown) => {
      rejected.push({ body: "(server error)", issues: String(error) });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  storeOrigin = await listen(storeServer);
  trailmarkOrigin = await listen(trailmarkServer);
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-quic",
      "--no-first-run",
      "--disable-sync",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([close(storeServer), close(trailmarkServer)]);
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
  expect(all.flatMap((o) => o.problems)).toEqual([]);
  expect(rejected).toEqual([]);
  expect(preflights).toBe(0);
});

const eventsOf = (store: string, type?: CollectEvent["type"]) =>
  received.filter((r) => r.store === store && (!type || r.event.type === type)).map((r) => r.event);

/** Polls the collector until `count` events of this type for this store have arrived. */
async function waitForEvents(store: string, type: CollectEvent["type"], count = 1): Promise<CollectEvent[]> {
  await expect
    .poll(() => eventsOf(store, type).length, { timeout: 15_000, interval: 25 })
    .toBeGreaterThanOrEqual(count);
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
    const { base, store } = site();
    const clickId = newClickId();
    const { context, page } = await openPage();
    await page.goto(`${base}/products/mug?tm_click=${clickId}&utm_id=${clickId}&utm_source=instagram`);
    const [view] = await waitForEvents(store, "page_view");

    const cookies = await context.cookies(storeOrigin);
    const clicks = cookie(cookies, "_tm_clk");
    const visitor = cookie(cookies, "_tm_vid");
    expect(clicks?.value).toMatch(new RegExp(`^${clickId}\\.\\d+$`));
    expect(clicks).toMatchObject({ path: "/", sameSite: "Lax", secure: false, httpOnly: false });
    expect(clicks!.expires).toBeCloseTo(inDays(30), -2); // default lookback
    expect(visitor?.value).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(visitor!.expires).toBeCloseTo(inDays(90), -2);

    expect(view).toMatchObject({
      type: "page_view",
      click_ids: [clickId],
      visitor_id: visitor!.value,
      url: `${base}/products/mug?tm_click=${clickId}&utm_id=${clickId}&utm_source=instagram`,
    });
    expect(view!.id).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(typeof view!.occurred_at).toBe("string");
    expect(view!.referrer).toBeUndefined();
    // Sent as text/plain from the store's page: a simple request, no preflight (checked after each test).
    const [record] = received.filter((r) => r.store === store);
    expect(record!.contentType).toMatch(/^text\/plain/);
    expect(record!.origin).toBe(storeOrigin);
    expect(scriptEncodings).toContain("gzip");
  });

  it("a later page without the param still carries the stored click id and the same visitor", async () => {
    const { base, store } = site();
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
    expect(later).toMatchObject({ click_ids: [clickId], visitor_id: landing!.visitor_id });
    expect(later!.id).not.toBe(landing!.id);
    expect(later!.referrer).toBe(`${base}/landing?tm_click=${clickId}&tm_lb=14`);
  });

  it("takes utm_id only when it is a Trailmark click id", async () => {
    const { base, store } = site();
    const clickId = newClickId();
    const { context, page } = await openPage();
    await page.goto(`${base}/a?utm_id=spring_sale&utm_source=newsletter`);
    const [first] = await waitForEvents(store, "page_view", 1);
    expect(first!.click_ids).toEqual([]);
    expect(cookie(await context.cookies(storeOrigin), "_tm_clk")).toBeUndefined();
    await page.goto(`${base}/b?utm_id=${clickId}`);
    const views = await waitForEvents(store, "page_view", 2);
    expect(views.find((v) => v.url?.endsWith("/b?utm_id=" + clickId))!.click_ids).toEqual([clickId]);
    expect(cookie(await context.cookies(storeOrigin), "_tm_clk")?.value).toContain(clickId);
  });

  it("keeps up to 10 recent click ids, most recent first, each with its own expiry", async () => {
    const { base, store } = site();
    const { context, page } = await openPage();
    const first = newClickId();
    const second = newClickId();
    await page.goto(`${base}/p?tm_click=${first}&tm_lb=7`);
    await waitForEvents(store, "page_view", 1);
    await page.goto(`${base}/p?tm_click=${second}&tm_lb=30`);
    await waitForEvents(store, "page_view", 2);
    await page.goto(`${base}/home`);
    const views = await waitForEvents(store, "page_view", 3);
    expect(views.find((v) => v.url === `${base}/home`)!.click_ids).toEqual([second, first]);

    const clicks = cookie(await context.cookies(storeOrigin), "_tm_clk")!;
    const entries = clicks.value.split("|").map((e) => e.split("."));
    expect(entries.map(([id]) => id)).toEqual([second, first]);
    expect(Number(entries[0]![1])).toBeCloseTo(inDays(30), -2);
    expect(Number(entries[1]![1])).toBeCloseTo(inDays(7), -2);
    expect(clicks.expires).toBeCloseTo(inDays(30), -2); // the cookie lives as long as its newest entry

    const more = Array.from({ length: 10 }, () => newClickId());
    for (const id of more) await page.goto(`${base}/p?tm_click=${id}`);
    await page.goto(`${base}/last`);
    await expect
      .poll(() => eventsOf(store, "page_view").find((v) => v.url === `${base}/last`), { timeout: 15_000, interval: 25 })
      .toBeDefined();
    const last = eventsOf(store, "page_view").find((v) => v.url === `${base}/last`)!;
    expect(last.click_ids).toEqual([...more].reverse());
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
      const { base, store } = site(options);
      const clickId = newClickId();
      const { context, page } = await openPage();
      await page.goto(`${base}/?tm_click=${clickId}${query}`);
      await waitForEvents(store, "page_view");
      const clicks = cookie(await context.cookies(storeOrigin), "_tm_clk");
      expect(clicks?.value, query).toContain(clickId);
      expect(clicks!.expires, `${JSON.stringify(options)} ${query}`).toBeCloseTo(inDays(days), -2);
      expect(cookie(await context.cookies(storeOrigin), "_tm_vid")!.expires).toBeCloseTo(inDays(90), -2);
    }
  });

  it("trailmark.track sends sign_up, purchase and custom events, and never throws on bad input", async () => {
    const { base, store } = site();
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
      customer: "ada@example.com",
      click_ids: [clickId],
      url: `${base}/signup?tm_click=${clickId}`,
    });
    const [view] = eventsOf(store, "page_view");
    expect(signUp!.visitor_id).toBe(view!.visitor_id);

    const customs = await waitForEvents(store, "custom", 2);
    expect(customs.map((e) => (e.type === "custom" ? [e.name, e.value, e.currency] : null))).toEqual([
      ["newsletter", 5, "EUR"],
      ["video_play", undefined, undefined],
    ]);
    const [purchase] = await waitForEvents(store, "purchase");
    expect(purchase).toMatchObject({
      id: "purchase:99",
      order_id: "99",
      value: "19.99",
      currency: "USD",
      discount_codes: ["ADA10"],
      click_ids: [clickId],
    });
    expect(eventsOf(store, "sign_up")).toHaveLength(2); // the one with a bad customer is sent without it
    expect(eventsOf(store, "sign_up")[1]).not.toHaveProperty("customer");
  });

  it("the WooCommerce order-received page sends one purchase (same event id) even when reloaded", async () => {
    const { base, store } = site();
    const clickId = newClickId();
    const { page } = await openPage();
    await page.goto(`${base}/?tm_click=${clickId}&utm_source=tiktok`);
    await waitForEvents(store, "page_view", 1);
    const thankYou = `${base}/checkout/order-received/4321/?key=wc_order_AbCdEf123`;
    await page.goto(thankYou);
    const [purchase] = await waitForEvents(store, "purchase", 1);
    expect(purchase).toMatchObject({
      type: "purchase",
      id: "purchase:4321",
      order_id: "4321",
      order_key: "wc_order_AbCdEf123",
      click_ids: [clickId],
      url: thankYou,
    });
    await page.reload();
    await waitForEvents(store, "page_view", 3);
    const purchases = await waitForEvents(store, "purchase", 2);
    expect(new Set(purchases.map((p) => p.id))).toEqual(new Set(["purchase:4321"]));
    expect(new Set(purchases.map((p) => p.type === "purchase" && p.order_id))).toEqual(new Set(["4321"]));
    // The page_view on the thank-you page has its own random id each time.
    const thankYouViews = eventsOf(store, "page_view").filter((v) => v.url === thankYou);
    expect(new Set(thankYouViews.map((v) => v.id)).size).toBe(2);
  });

  it("recognises ?order-received=<id>&key=… (plain permalinks) and ignores order pages without a wc_order_ key", async () => {
    const { base, store } = site();
    const { page } = await openPage();
    await page.goto(`${base}/checkout/order-received/55/`);
    await page.goto(`${base}/checkout/order-received/56/?key=not_a_key`);
    await page.goto(`${base}/?page_id=7&order-received=77&key=wc_order_Xyz`);
    const [purchase] = await waitForEvents(store, "purchase", 1);
    expect(purchase).toMatchObject({ id: "purchase:77", order_id: "77", order_key: "wc_order_Xyz" });
    // Each page's events travel in one request, so once its page_view is in, its purchase would be too.
    await waitForEvents(store, "page_view", 3);
    expect(eventsOf(store, "purchase")).toHaveLength(1);
  });

  it('with data-consent="wait" nothing is stored or sent until consent(true); consent(false) clears the cookies', async () => {
    const { base, store } = site({ consent: "wait" });
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
    expect(eventsOf(store)).toEqual([]);

    await page.evaluate(() => window.trailmark.consent(true));
    const [view] = await waitForEvents(store, "page_view");
    const [signUp] = await waitForEvents(store, "sign_up");
    expect(view).toMatchObject({ click_ids: [clickId], url: `${base}/landing?tm_click=${clickId}` });
    expect(signUp).toMatchObject({ customer: "grace@example.com", visitor_id: view!.visitor_id, click_ids: [clickId] });
    const cookies = await context.cookies(storeOrigin);
    expect(cookie(cookies, "_tm_clk")?.value).toContain(clickId);
    expect(cookie(cookies, "_tm_vid")?.value).toBe(view!.visitor_id);

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
    expect(eventsOf(store, "page_view")).toHaveLength(1);
  });

  it("replays calls queued in window.trailmark before the script loaded", async () => {
    const { base, store } = site({
      consent: "wait",
      before: `<script>window.trailmark = window.trailmark || []; window.trailmark.push(["consent", true]);</script>`,
    });
    const clickId = newClickId();
    const { context, page } = await openPage();
    await page.goto(`${base}/?tm_click=${clickId}`);
    const [view] = await waitForEvents(store, "page_view");
    expect(view!.click_ids).toEqual([clickId]);
    expect(cookie(await context.cookies(storeOrigin), "_tm_clk")?.value).toContain(clickId);
  });

  it("falls back to navigator.sendBeacon when fetch is missing", async () => {
    const { base, store } = site();
    const clickId = newClickId();
    const { page } = await openPage({ initScript: "window.fetch = undefined;" });
    await page.goto(`${base}/?tm_click=${clickId}`);
    const [view] = await waitForEvents(store, "page_view");
    expect(view!.click_ids).toEqual([clickId]);
    const [record] = received.filter((r) => r.store === store);
    expect(record!.contentType).toMatch(/^text\/plain/);
  });

  it("without data-store it sends nothing and throws nothing", async () => {
    const { base } = site({ noStore: true });
    const { context, page } = await openPage();
    await page.goto(`${base}/?tm_click=${newClickId()}`);
    await trailmarkReady(page);
    await page.evaluate(() => window.trailmark.track("sign_up"));
    expect(await page.evaluate(() => window.__tmSent)).toBe(0);
    // Click ids are still kept, so a later page with the tag fixed can report them.
    expect(cookie(await context.cookies(storeOrigin), "_tm_clk")).toBeDefined();
  });
});
