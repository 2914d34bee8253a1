import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, serveFetch } from "../server/node-http.ts";
import { trackingNodeRoutes } from "../server/tracking-routes.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { seedProgram } from "../testing/fixtures.ts";
import { createTrackingApp, type TrackingApp } from "./tracking-app.ts";

// Visitors' events are group-committed: one bad event must never fail the good ones written with it.

let database: TestDatabase;
let app: TrackingApp;
let server: RunningServer;
let storeId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = createTrackingApp({ database, collectRateLimit: 100_000 });
  await app.start();
  server = await serveFetch(app.handler, {
    port: 0,
    host: "127.0.0.1",
    trustProxy: true,
    nodeRoutes: trackingNodeRoutes(app),
  });
  storeId = (await seedProgram(database.db, { domain: "shop.example.com" })).store.id;
});
afterAll(async () => {
  await server?.close();
  await app?.stop();
  await database?.destroy();
});

function collect(body: unknown) {
  return fetch(`${server.url}/collect`, {
    method: "POST",
    headers: { "content-type": "text/plain", origin: "https://shop.example.com" },
    body: JSON.stringify(body),
  });
}

// Each of these passed validation before, and its insert then failed the whole group it was written with.
const BAD: { name: string; event: Record<string, unknown>; field: string }[] = [
  { name: "an epoch past the last valid date", event: { occurred_at: 8640000000000001 }, field: "occurred_at" },
  { name: "an epoch in seconds, not ms", event: { occurred_at: 1_733_500_000 }, field: "occurred_at" },
  { name: "an ISO date in year 1", event: { occurred_at: "0001-01-01T00:00:00Z" }, field: "occurred_at" },
  {
    name: "a custom event's amount past the safe integers",
    event: { type: "custom", name: "quote", value: 1e21, currency: "USD" },
    field: "value",
  },
  {
    name: "a custom event's amount as a decimal string past the safe integers",
    event: { type: "custom", name: "quote", value: "99999999999999999999", currency: "USD" },
    field: "value",
  },
];

describe("POST /collect with bad events among good ones", () => {
  it("stores all 400 good events sent at once and answers each bad one 400 naming its field", async () => {
    const requests: { good: boolean; field?: string; promise: Promise<Response> }[] = [];
    for (let i = 0; i < 400; i++) {
      requests.push({
        good: true,
        promise: collect({
          store: storeId,
          id: `good-${i}`,
          type: "page_view",
          visitor_id: `vis-${i % 37}`,
          occurred_at: new Date(Date.now() - i * 1000).toISOString(),
        }),
      });
      if (i % 8 === 0) {
        const bad = BAD[(i / 8) % BAD.length]!;
        requests.push({
          good: false,
          field: bad.field,
          promise: collect({
            store: storeId,
            id: `bad-${i}`,
            type: "page_view",
            visitor_id: `vis-${i % 37}`,
            ...bad.event,
          }),
        });
      }
    }
    const answers = await Promise.all(
      requests.map(async (r) => ({ ...r, status: (await r.promise).status, body: await (await r.promise).json() })),
    );
    const good = answers.filter((a) => a.good);
    expect(good.map((a) => a.status)).toEqual(good.map(() => 202));
    for (const a of answers.filter((x) => !x.good)) {
      expect(a.status).toBe(400);
      expect(a.body.error.message).toContain(a.field);
    }
    expect(await database.db.event.count({ where: { storeId, eventKey: { startsWith: "good-" } } })).toBe(400);
    expect(await database.db.event.count({ where: { storeId, eventKey: { startsWith: "bad-" } } })).toBe(0);
  });

  it.each(BAD)("answers $name with 400, never 5xx", async ({ event, field }) => {
    const res = await collect({ store: storeId, id: `lone-${field}`, type: "page_view", visitor_id: "v", ...event });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toContain(field);
  });

  it("answers an event the database refuses (a NUL in its URL on PostgreSQL) alone, and stores its neighbours", async () => {
    const sends = Array.from({ length: 40 }, (_, i) =>
      collect({
        store: storeId,
        id: `nul-${i}`,
        type: "page_view",
        visitor_id: `vis-nul-${i}`,
        url: i % 10 === 5 ? "https://shop.example.com/\u0000" : "https://shop.example.com/",
      }),
    );
    const statuses = await Promise.all(sends.map(async (s) => (await s).status));
    const refused = database.provider === "postgresql";
    expect(statuses).toEqual(statuses.map((_, i) => (i % 10 === 5 && refused ? 400 : 202)));
    expect(await database.db.event.count({ where: { storeId, eventKey: { startsWith: "nul-" } } })).toBe(
      refused ? 36 : 40,
    );
  });

  it("keeps a purchase whose value is out of range with its join, drops the value and says why", async () => {
    const click = "tm_AAAAAAAAAAAAAAAA";
    const res = await collect({
      store: storeId,
      id: "big-purchase",
      type: "purchase",
      visitor_id: "vis-big",
      checkout_token: "tok-big",
      order_id: "1001",
      value: 1e21,
      currency: "USD",
      click_ids: [click],
    });
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toMatchObject({ received: 1, stored: 1, dropped: [{ id: "big-purchase", field: "value" }] });
    expect(body.dropped[0].reason).toMatch(/beyond/);
    const row = await database.db.event.findFirstOrThrow({ where: { storeId, eventKey: "big-purchase" } });
    expect([row.checkoutToken, row.orderRef, row.value, JSON.parse(row.clickIds)]).toEqual([
      "tok-big",
      "1001",
      null,
      [click],
    ]);
    // The reason stays with the event.
    expect(JSON.parse(row.dropped ?? "[]")).toEqual([{ field: "value", reason: body.dropped[0].reason }]);
  });
});
