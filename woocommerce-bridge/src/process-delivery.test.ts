import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInboxWorker } from "../../core/src/inbox/inbox.ts";
import { createTestDatabase, type TestDatabase } from "../../core/src/testing/database.ts";
import { DAY, insertClick } from "../../core/src/testing/fixtures.ts";
import { createWooDeliveryHandler } from "./process-delivery.ts";
import { wooDelivery } from "./testing/woo-deliveries.ts";
import { type WooOrderFixtureOptions, wooOrderPayload } from "./testing/woo-orders.ts";
import { seedWooProgram, TEST_WEBHOOK_SECRET } from "./testing/woo-store.ts";
import { createWooWebhookHandler } from "./webhook-handler.ts";

let database: TestDatabase;
const ctx = { clientIp: "192.0.2.10" };
// WooCommerce's clock in these orders is 2024-11-20; "now" for the bridge is shortly after.
const NOW = new Date("2024-11-20T12:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

async function setup() {
  const { db } = database;
  const program = await seedWooProgram(db);
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
  return { ...program, deliver, order, commissions, log };
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

  it("reverses an order on order.deleted, whose body is only the id", async () => {
    const t = await setup();
    await t.deliver("order.created", payload({ id: 6005, modifiedGmt: "2024-11-20T10:05:00" }));
    await t.deliver("order.deleted", { id: 6005 });
    const row = await t.order(6005);
    expect(row?.status).toBe("reversed");
    expect(row?.sourceUpdatedAt.toISOString()).toBe(NOW.toISOString());
  });

  it("brings a deleted order back with order.restored", async () => {
    const t = await setup();
    await t.deliver("order.created", payload({ id: 6006, modifiedGmt: "2024-11-20T10:05:00" }));
    await t.deliver("order.deleted", { id: 6006 });
    await t.deliver("order.restored", payload({ id: 6006, status: "processing", modifiedGmt: "2024-11-20T12:10:00" }));
    expect((await t.order(6006))?.status).toBe("confirmed");
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
