import { getStore, updateStoreCredentials } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { connectStore } from "./connect.ts";
import { DEFAULT_RECONCILE_INTERVAL_MS, parseBridgeEnv } from "./env.ts";
import { CURSOR_OVERLAP_MS, reconcileStore, reconcileWindow, startReconciliation } from "./reconcile.ts";
import { type FakeWooStoreOptions, fakeWooStore } from "./testing/woo-api.ts";
import { wooOrderPayload, wooRefundPayload } from "./testing/woo-orders.ts";
import { wooCredentialsOf } from "./woo-credentials.ts";

const server = setupServer();
let database: TestDatabase;
const NOW = new Date("2024-11-20T12:00:00Z");

beforeAll(async () => {
  server.listen({ onUnhandledRequest: "error" });
  database = await createTestDatabase();
});
afterEach(() => server.resetHandlers());
afterAll(async () => {
  server.close();
  await database.destroy();
});

let counter = 0;
async function connected(options: FakeWooStoreOptions = {}) {
  const shop = fakeWooStore({ url: `https://reconcile-${++counter}.example.com`, currency: "USD", ...options });
  server.use(...shop.handlers);
  const { store } = await connectStore({
    db: database.db,
    url: shop.url,
    key: shop.key,
    secret: shop.secret,
    publicUrl: "https://track.trailmark.test",
  });
  shop.requests.length = 0;
  return { shop, store };
}

function order(id: number, modifiedGmt: string, extra: Parameters<typeof wooOrderPayload>[0] = {}) {
  return wooOrderPayload({ id, modifiedGmt, createdGmt: "2024-11-19T08:00:00", currency: "USD", ...extra });
}

async function orderRow(storeId: string, id: number) {
  return database.db.order.findUnique({ where: { storeId_externalId: { storeId, externalId: String(id) } } });
}

async function credentials(storeId: string) {
  return wooCredentialsOf((await getStore(database.db, storeId))!);
}

describe("reconcileStore", () => {
  it("on its first run ingests the orders modified in the last 24 hours and saves the newest modification as its cursor", async () => {
    const { shop, store } = await connected({
      orders: [
        order(7001, "2024-11-20T09:00:00"),
        order(7002, "2024-11-20T11:15:00", { status: "completed" }),
        order(7003, "2024-11-18T09:00:00"),
      ],
    });
    const result = await reconcileStore({ db: database.db, storeId: store.id, now: NOW });
    expect(result.since.toISOString()).toBe("2024-11-19T12:00:00.000Z");
    expect(result.orders).toBe(2);
    expect(result.outcomes.created).toBe(2);
    expect(await orderRow(store.id, 7001)).toMatchObject({ status: "confirmed" });
    expect(await orderRow(store.id, 7003)).toBeNull();
    const query = shop.requests.find((r) => r.path.endsWith("/orders"))!.query;
    expect(Object.fromEntries(query)).toMatchObject({
      modified_after: "2024-11-19T12:00:00",
      dates_are_gmt: "true",
      orderby: "modified",
      order: "asc",
      per_page: "100",
      page: "1",
    });
    expect(await credentials(store.id)).toMatchObject({
      lastSyncedAt: "2024-11-20T11:15:00.000Z",
      lastReconciledAt: NOW.toISOString(),
      lastReconcileError: null,
    });
  });

  it("reads every page and resumes from its cursor, re-reading a short overlap harmlessly", async () => {
    const orders = Array.from({ length: 101 }, (_, i) =>
      order(8000 + i, `2024-11-20T10:${String(Math.floor(i / 3)).padStart(2, "0")}:00`),
    );
    const { shop, store } = await connected({ orders });
    const first = await reconcileStore({ db: database.db, storeId: store.id, now: NOW });
    expect(first.orders).toBe(101);
    // By keyset: the second request asks for what changed after the first page's newest second, less one.
    expect(
      shop.requests
        .filter((r) => r.path.endsWith("/orders"))
        .map((r) => [r.query.get("modified_after"), r.query.get("page")]),
    ).toEqual([
      ["2024-11-19T12:00:00", "1"],
      ["2024-11-20T10:32:59", "1"],
    ]);
    expect((await credentials(store.id)).lastSyncedAt).toBe("2024-11-20T10:33:00.000Z");

    shop.orders.push(order(8001, "2024-11-20T12:30:00", { status: "cancelled" }));
    shop.requests.length = 0;
    const second = await reconcileStore({ db: database.db, storeId: store.id, now: new Date("2024-11-20T12:45:00Z") });
    expect(second.since.getTime()).toBe(new Date("2024-11-20T10:33:00Z").getTime() - CURSOR_OVERLAP_MS);
    expect(second.outcomes).toMatchObject({ updated: 1, created: 0 });
    expect(second.outcomes.unchanged).toBeGreaterThan(0);
    expect((await orderRow(store.id, 8001))?.status).toBe("reversed");
    expect((await credentials(store.id)).lastSyncedAt).toBe("2024-11-20T12:30:00.000Z");
  });

  it("does not lose an order when another one changes while it pages", async () => {
    const orders = Array.from({ length: 150 }, (_, i) =>
      order(
        8500 + i,
        `2024-11-20T09:${String(i % 60).padStart(2, "0")}:${String(Math.floor(i / 60)).padStart(2, "0")}`,
      ),
    );
    orders.sort((a, b) => String(a.date_modified_gmt).localeCompare(String(b.date_modified_gmt)));
    const { shop, store } = await connected({ orders });
    // Right after the first page is served, the merchant edits an order on it: it moves to the end of the
    // list and every later order moves one place forward (page 2 by number would start one order late).
    let served = 0;
    server.use(
      http.get(`${shop.url}/wp-json/wc/v3/orders`, () => {
        if (++served === 2) {
          const edited = shop.orders.find((o) => o.id === 8510)!;
          edited.date_modified_gmt = "2024-11-20T11:00:00";
          edited.status = "cancelled";
        }
        return undefined;
      }),
    );
    const result = await reconcileStore({ db: database.db, storeId: store.id, now: NOW });
    const stored = await database.db.order.count({ where: { storeId: store.id } });
    expect(stored).toBe(150);
    expect((await orderRow(store.id, 8510))?.status).toBe("reversed");
    expect(result.cursor.toISOString()).toBe("2024-11-20T11:00:00.000Z");
  });

  // 230 orders ingested: 13 s alone on PostgreSQL on a loaded machine, past the default 30 s beside another file.
  it("reads on when a whole page of orders changed in the same second", { timeout: 120_000 }, async () => {
    const orders = Array.from({ length: 230 }, (_, i) => order(9000 + i, "2024-11-20T10:00:00"));
    const { shop, store } = await connected({ orders });
    const result = await reconcileStore({ db: database.db, storeId: store.id, now: NOW });
    expect(result.orders).toBe(230);
    expect(await database.db.order.count({ where: { storeId: store.id } })).toBe(230);
    expect(shop.requests.filter((r) => r.path.endsWith("/orders")).map((r) => r.query.get("page"))).toEqual([
      "1",
      "1",
      "2",
      "3",
    ]);
  });

  it("keeps its cursor when nothing changed", async () => {
    const { store } = await connected();
    await reconcileStore({ db: database.db, storeId: store.id, now: NOW });
    await reconcileStore({ db: database.db, storeId: store.id, now: new Date(NOW.getTime() + 3_600_000) });
    expect((await credentials(store.id)).lastSyncedAt).toBe("2024-11-19T12:00:00.000Z");
  });

  it("switches disabled webhooks back on, recreates deleted ones and leaves paused ones alone", async () => {
    const { shop, store } = await connected();
    shop.webhooks[0]!.status = "disabled";
    shop.webhooks[1]!.status = "paused";
    const removed = shop.webhooks.splice(2, 1)[0]!;
    const result = await reconcileStore({ db: database.db, storeId: store.id, now: NOW });
    expect(result.webhooks.map((w) => [w.topic, w.action])).toEqual([
      ["order.created", "reactivated"],
      ["order.updated", "paused"],
      ["order.deleted", "created"],
      ["order.restored", "unchanged"],
    ]);
    expect(shop.webhooks.map((w) => [w.topic, w.status])).toEqual([
      ["order.created", "active"],
      ["order.updated", "paused"],
      ["order.restored", "active"],
      ["order.deleted", "active"],
    ]);
    const recreated = shop.webhooks.find((w) => w.topic === "order.deleted")!;
    expect(recreated.delivery_url).toBe(removed.delivery_url);
    expect(recreated.secret).toBe((await credentials(store.id)).webhookSecret);
  });

  it("counts a polled order's refunds by their refunded items, as its webhook does, asking once per refund", async () => {
    // The default order: a 45.44 beanie (the items base), 9.56 VAT, 4.90 shipping. Refund 4201 returned the
    // shipping only (nothing of the base), 4202 20.00 of the beanie with its 4.21 tax (20.00 of the base);
    // shares of the money returned would have taken 3.72 and 18.37.
    const polled = order(7401, "2024-11-20T11:00:00", {
      refunds: [
        { id: 4202, total: "-24.21" },
        { id: 4201, total: "-4.90" },
      ],
    });
    const { shop, store } = await connected({
      orders: [polled],
      refunds: {
        7401: [
          wooRefundPayload({ id: 4201, orderId: 7401, amount: "4.90", shipping: [{ itemId: 813, total: "4.90" }] }),
          wooRefundPayload({
            id: 4202,
            orderId: 7401,
            amount: "24.21",
            lines: [{ itemId: 812, quantity: 1, total: "20.00", tax: "4.21" }],
          }),
        ],
      },
    });
    await reconcileStore({ db: database.db, storeId: store.id, now: NOW });
    expect(await orderRow(store.id, 7401)).toMatchObject({ total: 4544n, refunded: 2000n, orderRefunded: 2911n });
    expect(shop.requests.filter((r) => r.path.endsWith("/orders/7401/refunds"))).toHaveLength(1);
    // The next poll reads the order again (the cursor overlaps) but not its refunds: a refund never changes.
    const again = await reconcileStore({ db: database.db, storeId: store.id, now: new Date(NOW.getTime() + 60_000) });
    expect(again.orders).toBe(1);
    expect(await orderRow(store.id, 7401)).toMatchObject({ refunded: 2000n });
    expect(shop.requests.filter((r) => r.path.endsWith("/orders/7401/refunds"))).toHaveLength(1);
  });

  it("skips an order it cannot read and ingests the rest", async () => {
    const broken = { ...order(7101, "2024-11-20T10:00:00"), total: { amount: 5 } };
    const { store } = await connected({ orders: [broken, order(7102, "2024-11-20T10:01:00")] });
    const result = await reconcileStore({ db: database.db, storeId: store.id, now: NOW });
    expect(result.skipped).toEqual([{ id: "7101", error: expect.stringMatching(/^total/) }]);
    expect(await orderRow(store.id, 7102)).not.toBeNull();
  });

  it("keeps its cursor and records the error when the keys stop working (401)", async () => {
    const { shop, store } = await connected({ orders: [order(7201, "2024-11-20T10:00:00")] });
    await reconcileStore({ db: database.db, storeId: store.id, now: NOW });
    shop.secret = "cs_revoked";
    await expect(
      reconcileStore({ db: database.db, storeId: store.id, now: new Date("2024-11-20T13:00:00Z") }),
    ).rejects.toMatchObject({
      failure: "unauthorized",
    });
    expect(await credentials(store.id)).toMatchObject({
      lastSyncedAt: "2024-11-20T10:00:00.000Z",
      lastReconciledAt: NOW.toISOString(),
      lastReconcileError: expect.stringMatching(/rejected the API keys/),
    });
  });

  it("keeps its cursor when the store is down", async () => {
    const { shop, store } = await connected();
    shop.behaviour = "down";
    await expect(reconcileStore({ db: database.db, storeId: store.id, now: NOW })).rejects.toMatchObject({
      failure: "unreachable",
    });
    expect((await credentials(store.id)).lastSyncedAt).toBeUndefined();
  });

  it("refuses a store that is not connected", async () => {
    const { store } = await connected();
    await updateStoreCredentials(database.db, store.id, { consumerKey: null });
    await expect(reconcileStore({ db: database.db, storeId: store.id, now: NOW })).rejects.toMatchObject({
      code: "invalid",
    });
  });
});

describe("reconcileWindow", () => {
  it("starts 24 hours back and later overlaps the saved cursor", () => {
    expect(reconcileWindow(null, NOW).since.toISOString()).toBe("2024-11-19T12:00:00.000Z");
    expect(reconcileWindow("garbage", NOW).since.toISOString()).toBe("2024-11-19T12:00:00.000Z");
    const resumed = reconcileWindow("2024-11-20T10:00:00.000Z", NOW);
    expect(resumed.cursor.toISOString()).toBe("2024-11-20T10:00:00.000Z");
    expect(resumed.since.getTime()).toBe(resumed.cursor.getTime() - CURSOR_OVERLAP_MS);
  });
});

describe("startReconciliation", () => {
  it("polls every connected store, carries on past one that fails, and resumes from the saved cursor after a restart", async () => {
    // Its own database: the scheduler polls every WooCommerce store there is.
    const main = database;
    database = await createTestDatabase();
    onTestFinished(async () => {
      await database.destroy();
      database = main;
    });
    const healthy = await connected({ orders: [order(7301, "2024-11-20T10:00:00")] });
    const down = await connected();
    down.shop.behaviour = "down";
    const log: string[] = [];
    const first = startReconciliation({
      db: database.db,
      intervalMs: 3_600_000,
      firstRunDelayMs: 3_600_000,
      now: () => NOW,
      log: (m) => log.push(m),
    });
    const results = await first.runOnce();
    await first.stop();
    expect(results.find((r) => r.storeId === healthy.store.id)?.result?.orders).toBe(1);
    expect(results.find((r) => r.storeId === down.store.id)?.error).toMatch(/could not reach/);
    expect(log.some((m) => m.includes(down.store.id))).toBe(true);

    // A new process: the cursor comes from the database, not from memory.
    healthy.shop.requests.length = 0;
    const second = startReconciliation({
      db: database.db,
      intervalMs: 3_600_000,
      firstRunDelayMs: 3_600_000,
      now: () => NOW,
      log: () => {},
    });
    await second.runOnce();
    await second.stop();
    const query = healthy.shop.requests.find((r) => r.path.endsWith("/orders"))!.query;
    expect(query.get("modified_after")).toBe("2024-11-20T09:55:00");

    // Left to itself, it runs at once and then every interval.
    healthy.shop.requests.length = 0;
    const third = startReconciliation({ db: database.db, intervalMs: 3_600_000, now: () => NOW, log: () => {} });
    await vi.waitFor(() => expect(healthy.shop.requests.some((r) => r.path.endsWith("/orders"))).toBe(true), {
      timeout: 10_000,
    });
    await third.stop();
  });

  it("takes its interval from WOO_RECONCILE_INTERVAL_MS, 15 minutes by default", () => {
    expect(parseBridgeEnv({}).WOO_RECONCILE_INTERVAL_MS).toBe(DEFAULT_RECONCILE_INTERVAL_MS);
    expect(DEFAULT_RECONCILE_INTERVAL_MS).toBe(900_000);
    expect(parseBridgeEnv({ WOO_RECONCILE_INTERVAL_MS: "60000" }).WOO_RECONCILE_INTERVAL_MS).toBe(60_000);
    expect(() => parseBridgeEnv({ WOO_RECONCILE_INTERVAL_MS: "soon" })).toThrow(/WOO_RECONCILE_INTERVAL_MS/);
  });
});
