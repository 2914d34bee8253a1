import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createCampaign } from "../campaigns/campaign-store.ts";
import { toEventRecord } from "../events/event-record.ts";
import { storeEvents } from "../events/record-events.ts";
import { ingestOrder } from "../orders/ingest-order.ts";
import { type RunningServer, serveFetch } from "../server/node-http.ts";
import { trackingNodeRoutes } from "../server/tracking-routes.ts";
import { createApiKey } from "../stores/api-keys.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { insertClick, seedProgram } from "../testing/fixtures.ts";
import { createTrackingApp, type TrackingApp } from "./tracking-app.ts";

let database: TestDatabase;
let app: TrackingApp;
let server: RunningServer;
let fetchOnlyServer: RunningServer;
let program: Awaited<ReturnType<typeof seedProgram>>;
let apiKey: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = createTrackingApp({ database, collectRateLimit: 50 });
  await app.start();
  // As npm start mounts it: /c/ and /collect on node:http routes, the rest through the fetch handler.
  server = await serveFetch(app.handler, {
    port: 0,
    host: "127.0.0.1",
    trustProxy: true,
    nodeRoutes: trackingNodeRoutes(app),
  });
  // As a fetch-only host (the Remix app, the WooCommerce bridge) would serve the same handlers.
  fetchOnlyServer = await serveFetch(app.handler, { port: 0, host: "127.0.0.1", trustProxy: true });
  program = await seedProgram(database.db, {
    domain: "shop.example.com",
    campaign: {
      goals: ["purchase", "sign_up"],
      commissionRules: { purchase: { type: "percentage", basisPoints: 1000 }, sign_up: { type: "flat", amount: 300 } },
    },
  });
  apiKey = (await createApiKey(database.db, program.store.id, "server")).key;
});
afterAll(async () => {
  await server?.close();
  await fetchOnlyServer?.close();
  await app?.stop();
  await database?.destroy();
});

let collectServer = () => server;

function collect(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${collectServer().url}/collect`, {
    method: "POST",
    headers: { "content-type": "text/plain", origin: "https://shop.example.com", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

let seq = 0;
const ip = () => `10.0.0.${++seq % 250}`;

describe.each(["node:http route", "fetch handler"])("POST /collect through the %s", (via) => {
  beforeAll(() => {
    collectServer = () => (via === "node:http route" ? server : fetchOnlyServer);
  });
  const prefix = via === "node:http route" ? "n" : "f";

  it("stores a page view once, however often it is sent, and answers CORS for the store's origin", async () => {
    const event = {
      store: program.store.id,
      id: `${prefix}-pv-1`,
      type: "page_view",
      visitor_id: "vis-1",
      url: "https://shop.example.com/?tm_click=x",
    };
    const first = await collect(event, { "x-forwarded-for": ip() });
    expect(first.status).toBe(202);
    expect(first.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    expect(await first.json()).toEqual({ received: 1, stored: 1 });
    const again = await collect(event, { "x-forwarded-for": ip() });
    expect(await again.json()).toEqual({ received: 1, stored: 0 });
    expect(await database.db.event.count({ where: { storeId: program.store.id, eventKey: `${prefix}-pv-1` } })).toBe(1);
  });

  it("rejects invalid payloads with the path of the field", async () => {
    const res = await collect(
      { store: program.store.id, events: [{ id: "e", type: "purchase", visitor_id: "v", value: 5 }] },
      { "x-forwarded-for": ip() },
    );
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("invalid");
    expect(body.error.details.map((d: { path: string }) => d.path)).toContain("events.0.order_id");
    expect((await collect("{nope", { "x-forwarded-for": ip() })).status).toBe(400);
  });

  it("answers 404 for an unknown store, 413 past 64 KB and 415 for other media types", async () => {
    expect(
      (await collect({ store: "st_missing", id: "x", type: "page_view", visitor_id: "v" }, { "x-forwarded-for": ip() }))
        .status,
    ).toBe(404);
    const big = JSON.stringify({
      store: program.store.id,
      id: "big",
      type: "page_view",
      visitor_id: "v",
      url: "x".repeat(70_000),
    });
    expect((await collect(big, { "x-forwarded-for": ip() })).status).toBe(413);
    expect(
      (await collect("a=b", { "x-forwarded-for": ip(), "content-type": "application/x-www-form-urlencoded" })).status,
    ).toBe(415);
  });

  it("refuses events from an origin that is not the store's", async () => {
    const res = await collect(
      { store: program.store.id, id: "evil", type: "page_view", visitor_id: "v" },
      { origin: "https://evil.example.net", "x-forwarded-for": ip() },
    );
    expect(res.status).toBe(403);
  });

  it("limits the rate per client address with 429 and Retry-After", async () => {
    // The limiter counts in fixed one-minute windows: the clock is held a second into the next one, so the
    // 55 requests cannot straddle two windows however slowly the machine runs them.
    vi.useFakeTimers({ toFake: ["Date"], now: Math.ceil(Date.now() / 60_000) * 60_000 + 1_000 });
    const statuses: number[] = [];
    try {
      for (let i = 0; i < 55; i++) {
        const res = await collect(
          { store: program.store.id, id: `${prefix}-rl-${i}`, type: "page_view", visitor_id: "v" },
          { "x-forwarded-for": `10.9.9.${prefix === "n" ? 9 : 10}` },
        );
        statuses.push(res.status);
        if (res.status === 429) expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      }
    } finally {
      vi.useRealTimers();
    }
    expect(statuses.filter((s) => s === 202)).toHaveLength(50);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
  });
});

describe("POST /collect follow-ups", () => {
  beforeAll(() => {
    collectServer = () => server;
  });

  it("re-attributes an order when the browser's purchase arrives after the webhook", async () => {
    const { db } = database;
    const click = await insertClick(db, program.links[1]!, new Date(Date.now() - 60_000));
    const order = await ingestOrder(db, program.store.id, {
      externalId: "late-1",
      status: "confirmed",
      currency: "USD",
      total: 5000,
      checkoutToken: "tok-late",
      placedAt: new Date(),
      sourceUpdatedAt: new Date(),
    });
    expect(order.status).toBe("unattributed");
    const res = await collect(
      {
        store: program.store.id,
        id: "purchase-late",
        type: "purchase",
        visitor_id: "vis-late",
        checkout_token: "tok-late",
        value: "50.00",
        currency: "USD",
        click_ids: [click],
      },
      { "x-forwarded-for": ip() },
    );
    expect(res.status).toBe(202);
    await app.idle();
    const commissions = await db.commission.findMany({ where: { conversionId: order.conversionId } });
    expect(commissions.map((c) => [c.creatorId, Number(c.amount)])).toEqual([[program.creators[1]!.id, 500]]);
  });

  it("turns a sign-up from a clicked visitor into a flat commission", async () => {
    const { db } = database;
    const click = await insertClick(db, program.links[0]!, new Date(Date.now() - 60_000));
    await collect(
      { store: program.store.id, id: "pv-s", type: "page_view", visitor_id: "vis-s", click_ids: [click] },
      { "x-forwarded-for": ip() },
    );
    await collect(
      { store: program.store.id, id: "su-s", type: "sign_up", visitor_id: "vis-s", customer: "new@example.com" },
      { "x-forwarded-for": ip() },
    );
    await app.idle();
    const conversion = await db.conversion.findFirstOrThrow({
      where: { storeId: program.store.id, sourceKey: "event:su-s" },
    });
    const commissions = await db.commission.findMany({ where: { conversionId: conversion.id } });
    expect(commissions.map((c) => [c.creatorId, c.goal, Number(c.amount)])).toEqual([
      [program.creators[0]!.id, "sign_up", 300],
    ]);
  });
});

describe("POST /api/v1/conversions", () => {
  function post(body: unknown, headers: Record<string, string> = {}) {
    return fetch(`${server.url}/api/v1/conversions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}`, ...headers },
      body: JSON.stringify(body),
    });
  }

  it("needs a valid bearer key", async () => {
    expect((await post({}, { authorization: "" })).status).toBe(401);
    // One character changed (a fixed "x" would leave a key that ends in x valid).
    const wrong = `${apiKey.slice(0, -1)}${apiKey.endsWith("x") ? "y" : "x"}`;
    expect((await post({}, { authorization: `Bearer ${wrong}` })).status).toBe(401);
  });

  it("attributes a server-reported purchase and replays it for the same Idempotency-Key", async () => {
    const click = await insertClick(database.db, program.links[0]!, new Date(Date.now() - 3600_000));
    const body = {
      type: "purchase",
      occurred_at: new Date().toISOString(),
      click_id: click,
      order_id: "api-1",
      value: "120.00",
      currency: "USD",
    };
    const first = await post(body, { "idempotency-key": "k-1" });
    expect(first.status).toBe(201);
    const json = await first.json();
    expect(json).toMatchObject({
      status: "attributed",
      commissions: [{ creator_id: program.creators[0]!.id, amount: 1200, status: "pending" }],
    });
    const replay = await post(body, { "idempotency-key": "k-1" });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.json()).toEqual(json);
    expect((await post({ ...body, value: "1.00" }, { "idempotency-key": "k-1" })).status).toBe(409);
    expect(await database.db.order.count({ where: { storeId: program.store.id, externalId: "api-1" } })).toBe(1);
  });

  it("names the missing field of an invalid body", async () => {
    const res = await post({
      type: "purchase",
      occurred_at: new Date().toISOString(),
      click_id: "tm_AAAAAAAAAAAAAAAA",
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/order_id/);
  });

  it("serves an OpenAPI 3.1 document generated from the schemas", async () => {
    const res = await fetch(`${server.url}/api/v1/openapi.json`);
    const doc = await res.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.schemas.ConversionRequest.properties.type.enum).toEqual([
      "sign_up",
      "lead",
      "purchase",
      "custom",
    ]);
    expect(doc.paths["/api/v1/conversions"].post.responses["201"]).toBeDefined();
    // Commissions name their minor units: what it is worth now, before refunds, and what was reversed.
    const commission = JSON.stringify(doc.components.schemas.ConversionResponse ?? doc);
    expect(commission).toMatch(/"original":\{[^}]*"description":"Minor units: the commission before refunds/);
    expect(commission).toMatch(/"reversed":\{[^}]*"description":"Minor units: original minus amount/);
  });
});

describe("a journey through the real endpoints", () => {
  it("follows a click, a page view and a purchase to the creator who earned it", async () => {
    const { db } = database;
    const campaign = await createCampaign(db, program.store.id, { name: "Journey", attributionModel: "last_click" });
    void campaign;
    const link = program.links[1]!;
    const res = await fetch(`${server.url}/c/${link.code}`, {
      redirect: "manual",
      headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/140", "x-forwarded-for": "203.0.113.9" },
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    const click = location.searchParams.get("tm_click")!;
    expect(location.host).toBe("shop.example.com");
    await collect(
      {
        store: program.store.id,
        id: "j-pv",
        type: "page_view",
        visitor_id: "j-vis",
        url: location.toString(),
        click_ids: [click],
      },
      { "x-forwarded-for": ip() },
    );
    await collect(
      {
        store: program.store.id,
        id: "j-buy",
        type: "purchase",
        visitor_id: "j-vis",
        checkout_token: "j-tok",
        order_id: "j-1",
        value: 80,
        currency: "USD",
      },
      { "x-forwarded-for": ip() },
    );
    await app.idle();
    const result = await ingestOrder(db, program.store.id, {
      externalId: "j-1",
      status: "confirmed",
      currency: "USD",
      total: 8000,
      checkoutToken: "j-tok",
      placedAt: new Date(),
      sourceUpdatedAt: new Date(),
    });
    expect(result.status).toBe("attributed");
    expect(result.commissions.map((c) => [c.creatorId, c.amount])).toEqual([[link.creatorId, 800]]);
  });
});

describe("after a restart", () => {
  it("redoes the conversion of a sign-up whose follow-up work was cut off", async () => {
    const { db } = database;
    const click = await insertClick(db, program.links[0]!, new Date(Date.now() - 60_000));
    // Stored as the collector stores it, but the process died before the follow-up ran.
    await storeEvents(db, program.store.id, [
      toEventRecord(
        { id: "cut-off", type: "sign_up", visitor_id: "vis-cut", click_ids: [click], customer: "cut@example.com" },
        "script",
        new Date(),
      ),
    ]);
    expect(await db.conversion.count({ where: { storeId: program.store.id, sourceKey: "event:cut-off" } })).toBe(0);
    const restarted = createTrackingApp({ database });
    await restarted.start();
    await restarted.stop();
    const conversion = await db.conversion.findFirstOrThrow({
      where: { storeId: program.store.id, sourceKey: "event:cut-off" },
    });
    const commissions = await db.commission.findMany({ where: { conversionId: conversion.id } });
    expect(commissions.map((c) => [c.creatorId, Number(c.amount)])).toEqual([[program.creators[0]!.id, 300]]);
  });
});
