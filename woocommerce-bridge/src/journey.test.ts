import { createTrackingApp, type TrackingApp } from "@trailmark/core/http";
import { createInboxWorker } from "@trailmark/core/inbox";
import { clickIdsFromUrl } from "@trailmark/core/links";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWooDeliveryHandler } from "./process-delivery.ts";
import { wooGmt } from "./reconcile.ts";
import { createWooBridgeHandler } from "./server.ts";
import { wooDelivery } from "./testing/woo-deliveries.ts";
import { wooOrderPayload } from "./testing/woo-orders.ts";
import { seedWooProgram, TEST_WEBHOOK_SECRET } from "./testing/woo-store.ts";

// A WooCommerce purchase from the creator's link to the refund, through the real tracking app (redirect,
// /t.js, /collect) and the real bridge (webhook endpoint, inbox, worker, ingestion). The order itself
// carries no click id, as when the purchase happens in a later session: only the order-received page's
// purchase event (order id + order key) ties it to the click.

let database: TestDatabase;
let app: TrackingApp;

beforeAll(async () => {
  database = await createTestDatabase();
  app = createTrackingApp({ database });
  await app.start();
});
afterAll(async () => {
  await app.stop();
  await database.destroy();
});

const BROWSER =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15";
const visitor = { clientIp: "198.51.100.23" };

describe("a WooCommerce purchase from click to refund", () => {
  it("credits the creator, keeps the commission through completion and takes it back on refund", async () => {
    const { db } = database;
    const domain = `journey-${Math.random().toString(36).slice(2, 8)}.example.com`;
    const { store, links, creators } = await seedWooProgram(db, { domain });
    const origin = `https://${domain}`;
    const bridge = createWooBridgeHandler({ db });
    const worker = createInboxWorker({
      db,
      handlers: { woocommerce: createWooDeliveryHandler({ db }) },
      log: () => {},
    });

    // 1. The visitor follows the creator's link and lands on the shop with a click id.
    const click = await app.handler(
      new Request(`https://track.trailmark.test/c/${links[0]!.code}`, { headers: { "user-agent": BROWSER } }),
      visitor,
    );
    expect(click.status).toBe(302);
    const landing = click.headers.get("location")!;
    const [clickId] = clickIdsFromUrl(landing);
    expect(clickId).toBeDefined();

    // 2. The theme loads /t.js, which reports the page view with the click id it found.
    const script = await app.handler(new Request("https://track.trailmark.test/t.js"), visitor);
    expect(script.status).toBe(200);
    const beacon = (event: Record<string, unknown>) =>
      app.handler(
        new Request("https://track.trailmark.test/collect", {
          method: "POST",
          headers: { "content-type": "text/plain", origin, "user-agent": BROWSER, "x-trailmark-source": "script" },
          body: JSON.stringify({ store: store.id, visitor_id: "vis-journey", click_ids: [clickId], ...event }),
        }),
        visitor,
      );
    expect((await beacon({ id: "pv-journey-1", type: "page_view", url: landing })).status).toBe(202);

    // 3. Checkout: the order-received page sends the purchase with WooCommerce's order id and key.
    const orderKey = "wc_order_J0urn3yK3y42";
    const received = `${origin}/checkout/order-received/9001/?key=${orderKey}`;
    const purchase = await beacon({
      id: "purchase:9001",
      type: "purchase",
      order_id: "9001",
      order_key: orderKey,
      value: "120.00",
      currency: "USD",
      url: received,
    });
    expect(purchase.status).toBe(202);
    await app.idle();

    // 4. WooCommerce's webhooks, as Action Scheduler delivers them, a little later each.
    // WooCommerce stamps whole seconds; a second's margin keeps the order after the click.
    const t = Date.now() + 1000;
    const at = (minutes: number) => wooGmt(new Date(t + minutes * 60_000));
    const base = {
      id: 9001,
      orderKey,
      currency: "USD",
      total: "120.00",
      createdGmt: at(0),
      // A later session: WooCommerce's own attribution saw a direct visit, no utm_id.
      attribution: { source_type: "typein", session_entry: `${origin}/`, session_pages: "3", device_type: "Desktop" },
    };
    async function deliver(topic: string, payload: unknown) {
      const response = await bridge(
        wooDelivery({ storeId: store.id, secret: TEST_WEBHOOK_SECRET, topic, payload, storeUrl: origin }),
        visitor,
      );
      expect(response.status).toBe(200);
      await worker.drain();
    }
    async function commission() {
      const order = await db.order.findUniqueOrThrow({
        where: { storeId_externalId: { storeId: store.id, externalId: "9001" } },
      });
      const conversion = await db.conversion.findFirstOrThrow({ where: { storeId: store.id, orderId: order.id } });
      const rows = await db.commission.findMany({ where: { conversionId: conversion.id } });
      expect(rows).toHaveLength(1);
      return { order, conversion, commission: rows[0]! };
    }

    await deliver("order.created", wooOrderPayload({ ...base, status: "processing", modifiedGmt: at(1) }));
    const paid = await commission();
    expect(paid.order.clickIds).toBe("[]");
    expect(paid.conversion.status).toBe("attributed");
    expect(paid.commission).toMatchObject({ creatorId: creators[0]!.id, status: "pending", currency: "USD" });
    expect(Number(paid.commission.amount)).toBe(1200);

    await deliver("order.updated", wooOrderPayload({ ...base, status: "completed", modifiedGmt: at(30) }));
    const completed = await commission();
    expect(completed.order.status).toBe("confirmed");
    expect(completed.commission.status).toBe("pending");
    expect(Number(completed.commission.amount)).toBe(1200);

    await deliver(
      "order.updated",
      wooOrderPayload({
        ...base,
        status: "refunded",
        modifiedGmt: at(60),
        refunds: [{ id: 9002, total: "-120.00", reason: "Order fully refunded." }],
      }),
    );
    const refunded = await commission();
    expect(Number(refunded.order.refunded)).toBe(12_000);
    expect(Number(refunded.commission.amount)).toBe(0);
    expect(refunded.commission.status).toBe("reversed");

    // The webhook for the paid state arriving late again changes nothing.
    await deliver("order.updated", wooOrderPayload({ ...base, status: "processing", modifiedGmt: at(2) }));
    expect((await commission()).commission.status).toBe("reversed");
  });

  it("credits the creator when the order-received beacon arrives after the webhook", async () => {
    const { db } = database;
    const domain = `journey-${Math.random().toString(36).slice(2, 8)}.example.com`;
    const { store, links, creators } = await seedWooProgram(db, { domain });
    const origin = `https://${domain}`;
    const bridge = createWooBridgeHandler({ db });
    const worker = createInboxWorker({
      db,
      handlers: { woocommerce: createWooDeliveryHandler({ db }) },
      log: () => {},
    });
    const click = await app.handler(
      new Request(`https://track.trailmark.test/c/${links[1]!.code}`, { headers: { "user-agent": BROWSER } }),
      visitor,
    );
    const [clickId] = clickIdsFromUrl(click.headers.get("location"));

    const t = Date.now() + 1000;
    const orderKey = "wc_order_L4t3B34c0n";
    const payload = wooOrderPayload({
      id: 9101,
      orderKey,
      currency: "USD",
      total: "80.00",
      createdGmt: wooGmt(new Date(t)),
      modifiedGmt: wooGmt(new Date(t + 60_000)),
      attribution: { source_type: "typein" },
    });
    expect(
      (
        await bridge(
          wooDelivery({ storeId: store.id, secret: TEST_WEBHOOK_SECRET, topic: "order.created", payload }),
          visitor,
        )
      ).status,
    ).toBe(200);
    await worker.drain();
    expect(await db.commission.count({ where: { storeId: store.id } })).toBe(0);

    const beacon = await app.handler(
      new Request("https://track.trailmark.test/collect", {
        method: "POST",
        headers: { "content-type": "text/plain", origin, "x-trailmark-source": "script" },
        body: JSON.stringify({
          store: store.id,
          id: "purchase:9101",
          type: "purchase",
          visitor_id: "vis-late",
          click_ids: [clickId],
          order_id: "9101",
          order_key: orderKey,
        }),
      }),
      visitor,
    );
    expect(beacon.status).toBe(202);
    await app.idle();
    const [commission] = await db.commission.findMany({ where: { storeId: store.id } });
    expect(commission).toMatchObject({ creatorId: creators[1]!.id, status: "pending" });
    expect(Number(commission?.amount)).toBe(800);
  });
});
