import { fileURLToPath } from "node:url";
import { openInboxRecorder, startInboxThread } from "@trailmark/core/inbox";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { createTestDatabase, insertClick, seedProgram, type TestDatabase } from "@trailmark/core/testing";
import { numberedOrder, shopifyJson, webhookHeaders } from "@trailmark/shopify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shopifyWebhookRoute } from "./webhook-route.ts";

// npm start's wiring: the receipt on the main thread, the inbox worker (scripts/inbox-worker.ts) on a thread of
// its own, nudged when deliveries are stored.

const SECRET = "test-api-secret-0123456789";
const ENTRY = new URL("../../scripts/inbox-worker.ts", import.meta.url);
let database: TestDatabase;
let server: RunningServer;

beforeAll(async () => {
  process.env.SHOPIFY_API_SECRET = SECRET;
  database = await createTestDatabase();
});

afterAll(async () => {
  await server?.close();
  await database?.destroy();
});

describe("the inbox worker thread", () => {
  it("processes what the receipt stores, and stops when asked", async () => {
    expect(fileURLToPath(ENTRY)).toMatch(/scripts\/inbox-worker\.ts$/);
    const shop = "threaded.myshopify.com";
    const { store, links } = await seedProgram(database.db, { domain: shop });
    await database.db.store.update({ where: { id: store.id }, data: { platform: "shopify" } });
    const thread = startInboxThread(ENTRY, database.url);
    const inbox = openInboxRecorder(database, () => thread.nudge());
    server = await serveFetch(async () => new Response(null, { status: 404 }), {
      port: 0,
      host: "127.0.0.1",
      nodeRoutes: [shopifyWebhookRoute(database.db, inbox)],
    });
    const placed = new Date(Date.now() - 60_000);
    const statuses = [];
    for (let n = 0; n < 20; n++) {
      const clickId = await insertClick(database.db, links[n % 2]!, new Date(placed.getTime() - 3_600_000));
      const body = shopifyJson(numberedOrder(n, { clickId, createdAt: placed.toISOString() }));
      const headers = webhookHeaders({ topic: "orders/create", body, secret: SECRET, shop });
      statuses.push((await fetch(`${server.url}/webhooks/orders/create`, { method: "POST", body, headers })).status);
    }
    expect(statuses).toEqual(statuses.map(() => 200));
    let commissions = 0;
    for (let i = 0; i < 200 && commissions < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      commissions = await database.db.commission.count({ where: { storeId: store.id } });
    }
    expect(commissions).toBe(20);
    await thread.stop();
    await inbox.close();
    expect(await database.db.webhookInbox.count({ where: { status: "done" } })).toBe(20);
  });
});
