// The inbox across processes: a server (receipt + batch worker) killed with SIGKILL at random moments loses no
// acknowledged delivery and ingests none twice; on PostgreSQL two worker processes share one inbox without
// taking the same delivery.
import { Agent, request as httpRequest } from "node:http";
import { fileURLToPath } from "node:url";
import { enqueueDelivery } from "@trailmark/core/inbox";
import {
  createTestDatabase,
  firstLine,
  insertClick,
  killTsxChildren,
  seedProgram,
  startTsxChild,
  type TestDatabase,
  type TsxChild,
} from "@trailmark/core/testing";
import { numberedOrder, numberedOrderId, shopifyJson, webhookHeaders } from "@trailmark/shopify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHILD = fileURLToPath(new URL("./inbox-child.ts", import.meta.url));
const SECRET = "test-api-secret-0123456789";
const HOUR = 3_600_000;

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  killTsxChildren();
  await database.destroy();
});

function startChild(env: Record<string, string>): TsxChild {
  return startTsxChild(CHILD, { DATABASE_URL: database.url, SHOPIFY_API_SECRET: SECRET, ...env });
}

async function startServer(): Promise<{ child: TsxChild; url: string }> {
  const child = startChild({ MODE: "serve", LEASE_MS: "1000", BATCH_SIZE: "50" });
  return { child, url: (await firstLine<{ url: string }>(child)).url };
}

function post(url: string, agent: Agent, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", agent, headers }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function shopifyProgram(shop: string) {
  const program = await seedProgram(database.db, { domain: shop });
  await database.db.store.update({ where: { id: program.store.id }, data: { platform: "shopify" } });
  return program;
}

describe("a server killed with SIGKILL", () => {
  it("loses no acknowledged delivery and ingests no order twice", { timeout: 180_000 }, async () => {
    const shop = "crash.myshopify.com";
    const { store, links } = await shopifyProgram(shop);
    const placed = new Date(Date.now() - HOUR);
    const orders = 150;
    type Pending = { path: string; body: string; headers: Record<string, string> };
    let pending: Pending[] = [];
    for (let n = 0; n < orders; n++) {
      const clickId = await insertClick(database.db, links[n % 2]!, new Date(placed.getTime() - HOUR));
      const created = { clickId, createdAt: placed.toISOString() };
      for (const [topic, body] of [
        ["orders/create", shopifyJson(numberedOrder(n, { ...created, financialStatus: "pending" }))],
        [
          "orders/paid",
          shopifyJson(numberedOrder(n, { ...created, updatedAt: new Date(placed.getTime() + 60_000).toISOString() })),
        ],
      ] as const) {
        // A retried delivery keeps its event id, as Shopify's retries do.
        const headers = webhookHeaders({ topic, body, secret: SECRET, shop, eventId: `crash-${topic}-${n}` });
        pending.push({ path: `/webhooks/${topic}`, body, headers });
      }
    }
    const acknowledged = new Set<string>();
    let kills = 0;
    // Four servers are killed at random moments (while receiving, or with the worker mid-batch after the last
    // answer); deliveries they did not acknowledge are sent again to the next, as Shopify retries.
    while (kills < 4) {
      const server = await startServer();
      const agent = new Agent({ keepAlive: true, maxSockets: 20 });
      const killAt = 100 + Math.random() * 400;
      const timer = setTimeout(() => server.child.kill(), killAt);
      const failed: Pending[] = [];
      await Promise.all(
        pending.map((d) =>
          post(`${server.url}${d.path}`, agent, d.body, d.headers).then(
            (status) => {
              if (status === 200) acknowledged.add(d.headers["x-shopify-event-id"]!);
              else failed.push(d);
            },
            () => failed.push(d),
          ),
        ),
      );
      agent.destroy();
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
      clearTimeout(timer);
      server.child.kill();
      kills++;
      await server.child.gone();
      pending = failed;
    }
    // The last server receives what is left and runs until the worker has finished everything (the leases of
    // batches claimed by killed servers end first).
    const server = await startServer();
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    const statuses = await Promise.all(pending.map((d) => post(`${server.url}${d.path}`, agent, d.body, d.headers)));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    for (const d of pending) acknowledged.add(d.headers["x-shopify-event-id"]!);
    agent.destroy();
    for (let i = 0; i < 600; i++) {
      if ((await database.db.webhookInbox.count({ where: { status: { not: "done" } } })) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    server.child.kill();
    await server.child.gone();
    expect(kills).toBe(4);
    expect(acknowledged.size).toBe(orders * 2);
    const { db } = database;
    const rows = await db.webhookInbox.findMany({ where: { dedupKey: { startsWith: "crash-" } } });
    expect(rows.length).toBe(orders * 2);
    expect(rows.filter((r) => r.status !== "done")).toEqual([]);
    expect(await db.order.count({ where: { storeId: store.id } })).toBe(orders);
    expect(await db.order.count({ where: { storeId: store.id, status: "confirmed" } })).toBe(orders);
    expect(await db.conversion.count({ where: { storeId: store.id } })).toBe(orders);
    const commissions = await db.commission.findMany({ where: { storeId: store.id } });
    expect(commissions).toHaveLength(orders);
    expect(new Set(commissions.map((c) => c.conversionId)).size).toBe(orders);
    expect(commissions.every((c) => c.amount === 899n && c.status === "pending")).toBe(true);
    const order = await db.order.findUniqueOrThrow({
      where: { storeId_externalId: { storeId: store.id, externalId: numberedOrderId(7) } },
    });
    expect(order.total).toBe(8990n);
  });
});

describe.runIf(process.env.DATABASE_URL?.startsWith("postgres"))("two worker processes on PostgreSQL", () => {
  it("share the inbox without taking the same delivery", { timeout: 180_000 }, async () => {
    const shops = ["w1.myshopify.com", "w2.myshopify.com", "w3.myshopify.com"];
    const placed = new Date(Date.now() - HOUR);
    const ids: string[] = [];
    const storeIds: string[] = [];
    for (const [s, shop] of shops.entries()) {
      const { links, store } = await shopifyProgram(shop);
      storeIds.push(store.id);
      // Seeded side by side on the pool's connections: 1,200 inserts one after the other took seconds.
      const enqueued = await Promise.all(
        Array.from({ length: 200 }, async (_, n) => {
          const clickId = await insertClick(database.db, links[n % 2]!, new Date(placed.getTime() - HOUR));
          const body = shopifyJson(numberedOrder(s * 1000 + n, { clickId, createdAt: placed.toISOString() }));
          const { id } = await enqueueDelivery(database.db, {
            source: "shopify",
            storeId: store.id,
            topic: "orders/create",
            dedupKey: `two-${shop}-${n}`,
            headers: { "x-shopify-shop-domain": shop, "x-shopify-topic": "orders/create" },
            body: new TextEncoder().encode(body),
          });
          return id;
        }),
      );
      ids.push(...enqueued);
    }
    const run = async () => {
      const child = startChild({ MODE: "work", BATCH_SIZE: "25" });
      const handled: string[] = [];
      for await (const line of child.lines) {
        const message = JSON.parse(line) as { handled?: string[]; idle?: boolean };
        if (message.handled) handled.push(...message.handled);
        if (message.idle) break;
      }
      await child.gone();
      return handled;
    };
    const [first, second] = await Promise.all([run(), run()]);
    // Both took part, neither took a delivery the other took, and together they took each once.
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
    const inFirst = new Set(first);
    expect(second.filter((id) => inFirst.has(id))).toEqual([]);
    expect([...first, ...second].sort()).toEqual([...ids].sort());
    const rows = await database.db.webhookInbox.findMany({ where: { id: { in: ids } } });
    expect(rows.filter((r) => r.status !== "done" || r.attempts !== 1)).toEqual([]);
    expect(await database.db.order.count({ where: { storeId: { in: storeIds } } })).toBe(600);
    expect(await database.db.commission.count({ where: { storeId: { in: storeIds } } })).toBe(600);
  });
});
