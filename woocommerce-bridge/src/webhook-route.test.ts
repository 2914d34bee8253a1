import { createInboxRecorder, createInboxWorker, type InboxRecorder, openInboxWriter } from "@trailmark/core/inbox";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { updateStoreCredentials } from "@trailmark/core/stores";
import { createTestDatabase, insertClick, type TestDatabase } from "@trailmark/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWooDeliveryHandler } from "./process-delivery.ts";
import { wooWebhookRoute } from "./server.ts";
import { phpJsonEncode } from "./testing/php-json.ts";
import { wooDelivery, wooPing } from "./testing/woo-deliveries.ts";
import { wooOrderPayload } from "./testing/woo-orders.ts";
import { seedWooProgram, TEST_WEBHOOK_SECRET } from "./testing/woo-store.ts";

// WooCommerce's receipt as npm start and the bridge's main serve it (a node:http route in front of everything
// else), over real HTTP with PHP-escaped bodies signed byte for byte; then the batch worker.

let database: TestDatabase;
let server: RunningServer;
let recorder: InboxRecorder;
let behindReached = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  recorder = createInboxRecorder({ writer: openInboxWriter(database), provider: database.provider });
  server = await serveFetch(
    async () => {
      behindReached++;
      return new Response(null, { status: 404 });
    },
    { port: 0, host: "127.0.0.1", nodeRoutes: [wooWebhookRoute(database.db, recorder)] },
  );
});

afterAll(async () => {
  await server?.close();
  await recorder?.close();
  await database?.destroy();
});

/** A delivery built by the testing helpers, sent to the server on loopback byte for byte. */
async function send(request: Request): Promise<Response> {
  const url = new URL(request.url);
  return fetch(`${server.url}${url.pathname}`, {
    method: request.method,
    headers: request.headers,
    body: new Uint8Array(await request.arrayBuffer()),
  });
}

describe("WooCommerce webhook receipt", () => {
  it("stores signed PHP-escaped deliveries once, answers pings, refuses bad signatures, and the worker ingests them", async () => {
    const { store, links } = await seedWooProgram(database.db);
    expect((await send(wooPing(store.id))).status).toBe(200);
    const gmt = new Date(Date.now() - 60_000).toISOString().slice(0, 19);
    const payloads = [];
    for (let i = 0; i < 5; i++) {
      const clickId = await insertClick(database.db, links[i % 2]!, new Date(Date.now() - 3_600_000));
      payloads.push(
        wooOrderPayload({
          id: 7000 + i,
          currency: "USD",
          createdGmt: gmt,
          modifiedGmt: gmt,
          email: "José.Núñez@example.com",
          attribution: {
            source_type: "utm",
            utm_id: clickId,
            session_entry: `https://shop.example.com/p/?utm_id=${clickId}`,
          },
        }),
      );
    }
    for (const payload of payloads) {
      const request = wooDelivery({ storeId: store.id, secret: TEST_WEBHOOK_SECRET, topic: "order.created", payload });
      const response = await send(request);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ received: true, duplicate: false });
    }
    // Action Scheduler ran the first one twice: same snapshot, stored once.
    const again = await send(
      wooDelivery({ storeId: store.id, secret: TEST_WEBHOOK_SECRET, topic: "order.updated", payload: payloads[0] }),
    );
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    const forged = wooDelivery({
      storeId: store.id,
      secret: "not-the-secret",
      topic: "order.created",
      payload: payloads[1],
    });
    expect((await send(forged)).status).toBe(401);
    const unknown = wooDelivery({
      storeId: "st_unknown",
      secret: TEST_WEBHOOK_SECRET,
      topic: "order.created",
      payload: payloads[1],
    });
    expect((await send(unknown)).status).toBe(404);
    expect((await fetch(`${server.url}/woocommerce/webhooks/${store.id}`)).status).toBe(405);
    expect(behindReached).toBe(0);

    const rows = await database.db.webhookInbox.findMany({
      where: { storeId: store.id },
      orderBy: { receivedAt: "asc" },
    });
    expect(rows).toHaveLength(5);
    expect(Buffer.from(rows[0]!.body).toString()).toBe(phpJsonEncode(payloads[0]));
    expect(Buffer.from(rows[0]!.body).toString()).toContain("Jos\\u00e9");

    const worker = createInboxWorker({
      db: database.db,
      handlers: { woocommerce: createWooDeliveryHandler({ db: database.db }) },
    });
    expect(await worker.drain()).toBe(5);
    expect(await database.db.webhookInbox.count({ where: { storeId: store.id, status: "done" } })).toBe(5);
    expect(await database.db.commission.count({ where: { storeId: store.id } })).toBe(5);
  });

  it("honours a rotated webhook secret at once, though the store's secret is cached", async () => {
    const { store } = await seedWooProgram(database.db);
    const payload = wooOrderPayload({ id: 7100 });
    expect(
      (await send(wooDelivery({ storeId: store.id, secret: TEST_WEBHOOK_SECRET, topic: "order.created", payload })))
        .status,
    ).toBe(200);
    await updateStoreCredentials(database.db, store.id, { webhookSecret: "rotated-secret" });
    const rotated = wooOrderPayload({ id: 7101 });
    expect(
      (
        await send(
          wooDelivery({ storeId: store.id, secret: "rotated-secret", topic: "order.created", payload: rotated }),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await send(
          wooDelivery({
            storeId: store.id,
            secret: TEST_WEBHOOK_SECRET,
            topic: "order.created",
            payload: wooOrderPayload({ id: 7102 }),
          }),
        )
      ).status,
    ).toBe(401);
  });
});
