import { updateCommissionPlan } from "@trailmark/core/campaigns";
import { createInboxWorker } from "@trailmark/core/inbox";
import { createTestDatabase, DAY, insertClick, type TestDatabase } from "@trailmark/core/testing";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createWooDeliveryHandler } from "./process-delivery.ts";
import { reconcileStore } from "./reconcile.ts";
import { fakeWooStore } from "./testing/woo-api.ts";
import { wooDelivery } from "./testing/woo-deliveries.ts";
import { type WooOrderFixtureOptions, wooOrderPayload } from "./testing/woo-orders.ts";
import { seedWooProgram, TEST_WEBHOOK_SECRET } from "./testing/woo-store.ts";
import { createWooWebhookHandler } from "./webhook-handler.ts";

const server = setupServer();
let database: TestDatabase;
const ctx = { clientIp: "192.0.2.10" };
// WooCommerce's clock in these orders is 2024-11-20; "now" for the bridge is shortly after.
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

async function setup() {
  const { db } = database;
  const program = await seedWooProgram(db);
  // The store's REST API, asked by order.deleted (and reconciliation) what an order is now.
  const shop = fakeWooStore({ url: `https://${program.store.domain}`, currency: "USD" });
  server.use(...shop.handlers);
  const webhook = createWooWebhookHandler({ db });
  const log: string[] = [];
  const worker = createInboxWorker({
    db,
    handlers: { woocommerce: createWooDeliveryHandler({ db, now: () => NOW }) },
    log: (m) => log.push(m),
  });
  async function deliver(topic: string, payload: unknown) {
    const response = await webhook(
      wooDelivery({ storeId: program.store.id, secret: TEST_WEBHOOK_SECRET, topic, payload }),
      ctx,
    );
    expect(response.status).toBe(200);
    await worker.drain();
  }
  async function order(id: number) {
    return db.order.findUnique({
      where: { storeId_externalId: { storeId: program.store.id, externalId: String(id) } },
    });
  }
  async function commissions(id: number) {
    const row = await order(id);
    const conversion = await db.conversion.findFirst({ where: { storeId: program.store.id, orderId: row?.id } });
    return db.commission.findMany({ where: { conversionId: conversion?.id ?? "none" } });
  }
  return { ...program, shop, deliver, order, commissions, log };
}

function payload(options: WooOrderFixtureOptions) {
  return wooOrderPayload({ currency: "USD", ...options });
}

describe("processing WooCommerce order deliveries", () => {
  it("stores a paid order from order.created with its money, status and attribution fields", async () => {
    const t = await setup();
    await t.deliver(
      "order.created",
      payload({ id: 6001, status: "processing", total: "59.90", coupons: [{ code: "ZOE15", discount: "8.99" }] }),
    );
    const row = await t.order(6001);
    expect(row).toMatchObject({
      status: "confirmed",
      currency: "USD",
      checkoutToken: "wc_order_Fh2kLp9QxTzA7",
      isTest: false,
    });
    expect(Number(row?.total)).toBe(5990);
    expect(JSON.parse(row!.discountCodes)).toEqual(["ZOE15"]);
    expect(t.log).toEqual([]);
  });

  it("credits the creator whose click id WooCommerce recorded in the order's utm_id", async () => {
    const t = await setup();
    const click = await insertClick(database.db, t.links[0]!, new Date(NOW.getTime() - DAY));
    await t.deliver(
      "order.created",
      payload({
        id: 6002,
        total: "100.00",
        attribution: { source_type: "utm", utm_source: "trailmark", utm_id: click },
      }),
    );
    const [commission] = await t.commissions(6002);
    expect(commission).toMatchObject({ creatorId: t.creators[0]!.id, status: "pending", currency: "USD" });
    expect(Number(commission?.amount)).toBe(1000);
  });

  it("ignores an older snapshot that arrives after a newer one", async () => {
    const t = await setup();
    await t.deliver("order.updated", payload({ id: 6003, status: "completed", modifiedGmt: "2024-11-20T11:30:00" }));
    await t.deliver("order.created", payload({ id: 6003, status: "pending", modifiedGmt: "2024-11-20T10:04:31" }));
    const row = await t.order(6003);
    expect(row?.status).toBe("confirmed");
    expect(row?.sourceUpdatedAt.toISOString()).toBe("2024-11-20T11:30:00.000Z");
  });

  it("applies a partial refund after payment and then the full refund", async () => {
    const t = await setup();
    const click = await insertClick(database.db, t.links[0]!, new Date(NOW.getTime() - DAY));
    const attribution = { source_type: "utm", utm_id: click };
    await t.deliver(
      "order.created",
      payload({ id: 6004, total: "100.00", attribution, modifiedGmt: "2024-11-20T10:05:00" }),
    );
    // order.updated is what WooCommerce sends when a refund is made.
    await t.deliver(
      "order.updated",
      payload({
        id: 6004,
        total: "100.00",
        attribution,
        modifiedGmt: "2024-11-20T10:30:00",
        refunds: [{ id: 6010, total: "-25.00", reason: "one item returned" }],
      }),
    );
    expect(Number((await t.order(6004))?.refunded)).toBe(2500);
    expect(Number((await t.commissions(6004))[0]?.amount)).toBe(750);

    await t.deliver(
      "order.updated",
      payload({
        id: 6004,
        status: "refunded",
        total: "100.00",
        attribution,
        modifiedGmt: "2024-11-20T11:00:00",
        refunds: [
          { id: 6011, total: "-75.00" },
          { id: 6010, total: "-25.00" },
        ],
      }),
    );
    const row = await t.order(6004);
    expect(row?.status).toBe("confirmed");
    expect(Number(row?.refunded)).toBe(10_000);
    const [commission] = await t.commissions(6004);
    expect(Number(commission?.amount)).toBe(0);
  });

  it("applies both changes made in the same second, the later one winning", async () => {
    const t = await setup();
    // pending -> processing within one second: same date_modified_gmt, different content.
    await t.deliver("order.created", payload({ id: 6010, status: "pending", modifiedGmt: "2024-11-20T10:05:00" }));
    expect((await t.order(6010))?.status).toBe("pending");
    await t.deliver("order.updated", payload({ id: 6010, status: "processing", modifiedGmt: "2024-11-20T10:05:00" }));
    expect((await t.order(6010))?.status).toBe("confirmed");
    expect(await database.db.webhookInbox.count({ where: { storeId: t.store.id, status: "done" } })).toBe(2);
  });

  it("reverses an order on order.deleted when the store has deleted it for good", async () => {
    const t = await setup();
    await t.deliver("order.created", payload({ id: 6005, modifiedGmt: "2024-11-20T10:05:00" }));
    await t.deliver("order.deleted", { id: 6005 });
    const row = await t.order(6005);
    expect(row?.status).toBe("reversed");
    expect(row?.sourceUpdatedAt.toISOString()).toBe(NOW.toISOString());
    // No campaign pays by category, so the catalogue was not asked; order.deleted asked for the order.
    expect(t.shop.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /wp-json/wc/v3/orders/6005"]);
  });

  it("gives each line its product's categories from the store's catalogue, asking once per product", async () => {
    const t = await setup();
    await updateCommissionPlan(database.db, t.store.id, t.campaign.id, {
      productRules: [{ target: "collection", id: "21", rate: { type: "percentage", basisPoints: 1500 } }],
    });
    t.shop.products["77"] = [21, 34];
    await t.deliver("order.created", payload({ id: 6020, modifiedGmt: "2024-11-20T10:05:00" }));
    await t.deliver("order.created", payload({ id: 6021, modifiedGmt: "2024-11-20T10:06:00" }));
    for (const id of [6020, 6021]) {
      const lines = JSON.parse((await t.order(id))!.lines) as { productId: string; collectionIds: string[] }[];
      expect(lines.map((l) => [l.productId, l.collectionIds])).toEqual([["77", ["21", "34"]]]);
    }
    expect(t.shop.requests.filter((r) => r.path.includes("/products/")).length).toBe(1);
  });

  it("reverses a trashed order at the store's time of the trashing, so a later restore wins", async () => {
    const t = await setup();
    await t.deliver("order.created", payload({ id: 6006, modifiedGmt: "2024-11-20T10:05:00" }));
    t.shop.orders.push(payload({ id: 6006, status: "trash", modifiedGmt: "2024-11-20T10:06:00" }));
    await t.deliver("order.deleted", { id: 6006 });
    expect(await t.order(6006)).toMatchObject({
      status: "reversed",
      sourceUpdatedAt: new Date("2024-11-20T10:06:00Z"),
    });
    await t.deliver("order.restored", payload({ id: 6006, status: "processing", modifiedGmt: "2024-11-20T10:06:02" }));
    expect((await t.order(6006))?.status).toBe("confirmed");
  });

  it("does not let a deletion processed after the restore undo it, trash and restore in the same second", async () => {
    const t = await setup();
    await t.deliver("order.created", payload({ id: 6008, modifiedGmt: "2024-11-20T10:05:00" }));
    // Trashed at 10:06:00 and restored within that second; the deletion is processed after the restore.
    const restored = payload({ id: 6008, status: "processing", modifiedGmt: "2024-11-20T10:06:00" });
    t.shop.orders.push(restored);
    await t.deliver("order.restored", restored);
    await t.deliver("order.deleted", { id: 6008 });
    expect((await t.order(6008))?.status).toBe("confirmed");
    const [commission] = await t.commissions(6008);
    expect(commission?.status).not.toBe("reversed");
  });

  it("leaves an order.deleted for retry when the store cannot be asked, and lets reconciliation repair a restore", async () => {
    const t = await setup();
    await t.deliver("order.created", payload({ id: 6009, modifiedGmt: "2024-11-20T10:05:00" }));
    t.shop.behaviour = "down";
    await t.deliver("order.deleted", { id: 6009 });
    expect((await t.order(6009))?.status).toBe("confirmed");
    const row = await database.db.webhookInbox.findFirst({ where: { storeId: t.store.id, topic: "order.deleted" } });
    expect(row).toMatchObject({ status: "failed" });
    t.shop.behaviour = "ok";
    // Trashed meanwhile; the retried deletion reverses it on the store's clock.
    t.shop.orders.push(payload({ id: 6009, status: "trash", modifiedGmt: "2024-11-20T10:06:00" }));
    await database.db.webhookInbox.update({ where: { id: row!.id }, data: { nextAttemptAt: new Date(0) } });
    await createInboxWorker({
      db: database.db,
      handlers: { woocommerce: createWooDeliveryHandler({ db: database.db, now: () => NOW }) },
    }).drain();
    expect((await t.order(6009))?.status).toBe("reversed");
    // Restored at the store with its webhook lost: reconciliation reads the order and repairs the reversal.
    t.shop.orders[0] = payload({ id: 6009, status: "processing", modifiedGmt: "2024-11-20T10:06:02" });
    const sync = await reconcileStore({ db: database.db, storeId: t.store.id, now: NOW });
    expect(sync.outcomes.updated).toBe(1);
    expect((await t.order(6009))?.status).toBe("confirmed");
  });

  it("ignores order.deleted for an order it never saw", async () => {
    const t = await setup();
    await t.deliver("order.deleted", { id: 6999 });
    expect(await t.order(6999)).toBeNull();
    expect(t.log).toEqual([]);
  });

  it("leaves an unreadable delivery failed in the inbox with the reason", async () => {
    const t = await setup();
    await t.deliver("order.updated", { id: 6007, status: "processing" });
    const row = await database.db.webhookInbox.findFirst({ where: { storeId: t.store.id } });
    expect(row?.status).toBe("failed");
    expect(row?.lastError).toMatch(/currency|total|date_created_gmt/);
    expect(t.log).toHaveLength(1);
  });
});
