// The built pixel bundle in a real Web Worker in Chromium (worker-harness.ts), sending to the real collector
// (createTrackingApp's POST /collect over a fresh test database) through a front that can make it slow (3 s),
// hang (never answer) or refuse (drop the connection). A purchase must never be lost: it leaves at once, beside
// the page view rather than behind it, and one the collector did not acknowledge is resent from the next page.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createTrackingApp, type TrackingApp } from "@trailmark/core/http";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { createStore } from "@trailmark/core/stores";
import { createTestDatabase, launchChromium, type TestDatabase } from "@trailmark/core/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildPixelBundle, checkoutCompleted, pageViewed } from "./test-harness.ts";
import { type Storefront, serveStorefront, type WorkerPixelConfig } from "./worker-harness.ts";

type Mode = "normal" | "slow" | "hang" | "refuse";
interface Arrival {
  at: number;
  type: string | undefined;
  id: string | undefined;
  mode: Mode;
}

let database: TestDatabase;
let app: TrackingApp;
let collector: RunningServer;
let front: Server;
let frontUrl = "";
let storefront: Storefront;
let browser: Browser;
let mode: Mode = "normal";
let arrivals: Arrival[] = [];
const hanging = new Set<ServerResponse>();
const pixels = new Map<string, WorkerPixelConfig>();

// The collector as the pixel meets it, with the failure the test chooses.
async function frontHandler(request: IncomingMessage, response: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString("utf8");
  const current = mode;
  if (request.method === "POST") {
    let event: { type?: string; id?: string } = {};
    try {
      event = (JSON.parse(body) as { events: { type?: string; id?: string }[] }).events[0] ?? {};
    } catch {}
    arrivals.push({ at: Date.now(), type: event.type, id: event.id, mode: current });
  }
  if (current === "refuse") {
    request.socket.destroy();
    return;
  }
  if (current === "hang") {
    hanging.add(response);
    return;
  }
  if (current === "slow") await new Promise((resolve) => setTimeout(resolve, 3000));
  const answer = await fetch(`${collector.url}/collect`, {
    method: request.method,
    headers: {
      "content-type": request.headers["content-type"] ?? "text/plain",
      ...(request.headers.origin ? { origin: request.headers.origin } : {}),
    },
    body: request.method === "POST" ? body : undefined,
  });
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (name.startsWith("access-control-") || name === "content-type" || name === "vary") headers[name] = value;
  });
  response.writeHead(answer.status, headers);
  response.end(await answer.text());
}

beforeAll(async () => {
  const { code } = await buildPixelBundle();
  database = await createTestDatabase();
  app = createTrackingApp({ database, collectRateLimit: 100_000 });
  await app.start();
  collector = await serveFetch(app.handler, { port: 0, host: "127.0.0.1" });
  front = createServer((request, response) => {
    frontHandler(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}/collect`;
  storefront = await serveStorefront(code, (key) => pixels.get(key)!);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const response of hanging) response.destroy();
  front?.closeAllConnections();
  await new Promise((resolve) => (front ? front.close(resolve) : resolve(undefined)));
  await storefront?.close();
  await collector?.close();
  await app?.stop();
  await database?.destroy();
});

const contexts: BrowserContext[] = [];
afterEach(async () => {
  mode = "normal";
  arrivals = [];
  for (const response of hanging) response.destroy();
  hanging.clear();
  for (const context of contexts.splice(0)) await context.close();
});

let shops = 0;
/** A Shopify store whose storefront is a loopback origin of its own, and a browser (one visitor) on it. */
async function visitor(options: { consent?: Record<string, boolean> | null } = {}) {
  const host = `shop-${++shops}.localhost`;
  const origin = storefront.origin(host);
  const { store } = await createStore(database.db, {
    platform: "shopify",
    domain: new URL(origin).host,
    currency: "EUR",
  });
  const key = `p${shops}`;
  pixels.set(key, {
    settings: { accountID: store.id, collectorUrl: frontUrl },
    customerPrivacy:
      options.consent === undefined ? { analyticsProcessingAllowed: true, marketingAllowed: true } : options.consent,
  });
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  const clientId = `client-${shops}`;
  return {
    store,
    origin,
    page,
    clientId,
    async open(path: string, target: Page = page) {
      await target.goto(`${origin}${path}?pixel=${key}`);
      await target.waitForFunction(() => typeof (window as { emitPixelEvent?: unknown }).emitPixelEvent === "function");
    },
    /** Delivers an event to the pixel in the page's worker; resolves when its handlers have finished. */
    emit(name: string, event: unknown, target: Page = page) {
      return target.evaluate(
        ([n, e]) =>
          (window as unknown as { emitPixelEvent(n: string, e: unknown): Promise<void> }).emitPixelEvent(n, e),
        [name, event] as const,
      );
    },
    /** Emits without waiting for the handlers (the visitor does not wait for the pixel either). */
    fire(name: string, event: unknown, target: Page = page) {
      return target.evaluate(
        ([n, e]) => {
          void (window as unknown as { emitPixelEvent(n: string, e: unknown): Promise<void> }).emitPixelEvent(n, e);
        },
        [name, event] as const,
      );
    },
    pending: (target: Page = page) => target.evaluate(() => localStorage.getItem("_tm_pending")),
  };
}

const purchasesOf = (storeId: string) =>
  database.db.event.findMany({
    where: { storeId, type: "purchase" },
    select: { eventKey: true, checkoutToken: true, orderRef: true, value: true, clickIds: true },
  });

async function until<T>(read: () => Promise<T | null | undefined | false>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const CLICK = "tm_AbCdEfGh12345678";

describe("the pixel in a Web Worker in Chromium", () => {
  it("sends the purchase at once beside a slow page view, and keeps it until the collector answers", async () => {
    const v = await visitor();
    await v.open("/checkouts/cn/abc/thank-you");
    mode = "slow";
    const t0 = Date.now();
    const now = Date.now();
    await v.fire("page_viewed", pageViewed({ href: `${v.origin}/?tm_click=${CLICK}`, at: now, clientId: v.clientId }));
    await v.fire(
      "checkout_completed",
      checkoutCompleted({ at: now + 1, clientId: v.clientId, shop: v.origin, token: "tok-slow" }),
    );
    const purchase = await until(async () => arrivals.find((a) => a.type === "purchase"), "the purchase request");
    // Not behind the page view's 3-second answer.
    expect(purchase.at - t0).toBeLessThan(1500);
    expect(await v.pending()).toContain("tok-slow");
    const [stored] = await until(async () => {
      const rows = await purchasesOf(v.store.id);
      return rows.length ? rows : null;
    }, "the stored purchase");
    expect(stored).toMatchObject({ checkoutToken: "tok-slow", orderRef: "5551234" });
    // Acknowledged: no longer kept for a resend.
    await until(async () => (await v.pending()) === null, "the pending purchase to be cleared", 5000);
  });

  it("resends a purchase from the next page when the visitor left after 500 ms with a slow collector", async () => {
    const v = await visitor();
    await v.open("/checkouts/cn/abc/thank-you");
    mode = "slow";
    const now = Date.now();
    await v.fire("page_viewed", pageViewed({ href: `${v.origin}/checkouts/x`, at: now, clientId: v.clientId }));
    await v.fire(
      "checkout_completed",
      checkoutCompleted({ at: now + 1, clientId: v.clientId, shop: v.origin, token: "tok-left" }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    mode = "normal";
    await v.open("/");
    await v.emit("page_viewed", pageViewed({ href: `${v.origin}/`, at: Date.now(), clientId: v.clientId }));
    const rows = await until(async () => {
      const r = await purchasesOf(v.store.id);
      return r.length ? r : null;
    }, "the resent purchase");
    expect(rows.map((r) => r.checkoutToken)).toEqual(["tok-left"]);
    await until(async () => (await v.pending()) === null, "the pending purchase to be cleared", 5000);
    // However many copies travelled (the first page's keepalive request may still land), it is stored once.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(await purchasesOf(v.store.id)).toHaveLength(1);
  });

  it("makes the purchase request at once while the collector hangs, and delivers it from the next page", async () => {
    const v = await visitor();
    await v.open("/checkouts/cn/abc/thank-you");
    mode = "hang";
    const now = Date.now();
    await v.fire("page_viewed", pageViewed({ href: `${v.origin}/checkouts/x`, at: now, clientId: v.clientId }));
    await v.fire(
      "checkout_completed",
      checkoutCompleted({ at: now + 1, clientId: v.clientId, shop: v.origin, token: "tok-hang" }),
    );
    await until(
      async () => arrivals.some((a) => a.type === "purchase" && a.mode === "hang"),
      "a purchase request",
      3000,
    );
    expect(await v.pending()).toContain("tok-hang");
    mode = "normal";
    await v.open("/collections/all");
    await v.emit(
      "page_viewed",
      pageViewed({ href: `${v.origin}/collections/all`, at: Date.now(), clientId: v.clientId }),
    );
    await until(async () => (await purchasesOf(v.store.id)).length === 1, "the purchase stored");
    await until(async () => (await v.pending()) === null, "the pending purchase to be cleared", 5000);
  });

  it("gives up on a hanging request after its timeout and keeps the purchase for the next page", async () => {
    const v = await visitor();
    await v.open("/checkouts/cn/abc/thank-you");
    mode = "hang";
    const started = Date.now();
    await v.emit(
      "checkout_completed",
      checkoutCompleted({ at: Date.now(), clientId: v.clientId, shop: v.origin, token: "tok-timeout" }),
    );
    // The handler finished: the hanging request was abandoned (8 s), not awaited for ever.
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(await v.pending()).toContain("tok-timeout");
  }, 20_000);

  it("keeps a purchase the collector refused the connection for, and delivers it from the next page", async () => {
    const v = await visitor();
    await v.open("/checkouts/cn/abc/thank-you");
    mode = "refuse";
    await v.emit(
      "checkout_completed",
      checkoutCompleted({ at: Date.now(), clientId: v.clientId, shop: v.origin, token: "tok-refused" }),
    );
    expect(arrivals.some((a) => a.type === "purchase" && a.mode === "refuse")).toBe(true);
    expect(await v.pending()).toContain("tok-refused");
    mode = "normal";
    await v.open("/");
    await v.emit("page_viewed", pageViewed({ href: `${v.origin}/`, at: Date.now(), clientId: v.clientId }));
    expect((await purchasesOf(v.store.id)).map((r) => r.checkoutToken)).toEqual(["tok-refused"]);
    expect(await v.pending()).toBeNull();
  });

  it("keeps the join of a purchase whose value the collector cannot hold (1e21), without the value", async () => {
    const v = await visitor();
    await v.open(`/products/x`);
    await v.emit(
      "page_viewed",
      pageViewed({ href: `${v.origin}/products/x?tm_click=${CLICK}`, at: Date.now(), clientId: v.clientId }),
    );
    const event = checkoutCompleted(
      { at: Date.now(), clientId: v.clientId, shop: v.origin, token: "tok-huge", total: 1e21 },
      {},
    );
    await v.emit("checkout_completed", event);
    const rows = await purchasesOf(v.store.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ checkoutToken: "tok-huge", orderRef: "5551234", value: null });
    expect(JSON.parse(rows[0]!.clickIds)).toEqual([CLICK]);
    expect(await v.pending()).toBeNull();
  });

  it("stores an event sent twice with timestamps a second apart once", async () => {
    const v = await visitor();
    await v.open("/checkouts/cn/abc/thank-you");
    const first = checkoutCompleted({ at: Date.now(), clientId: v.clientId, shop: v.origin, token: "tok-twice" });
    const again = { ...first, timestamp: new Date(Date.parse(first.timestamp) + 1000).toISOString() };
    await v.emit("checkout_completed", first);
    await v.emit("checkout_completed", again);
    expect(arrivals.filter((a) => a.id === first.id)).toHaveLength(2);
    expect(await purchasesOf(v.store.id)).toHaveLength(1);
  });

  it("sends and keeps nothing when Shopify gives no consent answer", async () => {
    const v = await visitor({ consent: null });
    await v.open("/checkouts/cn/abc/thank-you");
    const before = arrivals.length;
    await v.emit(
      "page_viewed",
      pageViewed({ href: `${v.origin}/?tm_click=${CLICK}`, at: Date.now(), clientId: v.clientId }),
    );
    await v.emit(
      "checkout_completed",
      checkoutCompleted({ at: Date.now(), clientId: v.clientId, shop: v.origin, token: "tok-no-consent" }),
    );
    expect(arrivals.length).toBe(before);
    expect(await v.page.evaluate(() => [localStorage.length, document.cookie])).toEqual([0, ""]);
  });
});
