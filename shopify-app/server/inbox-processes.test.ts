// The inbox across processes: a server (receipt + batch worker) killed with SIGKILL at random moments loses no
// acknowledged delivery and ingests none twice; on PostgreSQL two worker processes share one inbox without
// taking the same delivery.
import { type ChildProcess, spawn } from "node:child_process";
import { Agent, request as httpRequest } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { enqueueDelivery } from "@trailmark/core/inbox";
import { createTestDatabase, insertClick, seedProgram, type TestDatabase } from "@trailmark/core/testing";
import { numberedOrder, numberedOrderId, shopifyJson, webhookHeaders } from "@trailmark/shopify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSX = join(ROOT, "node_modules/.bin/tsx");
const CHILD = join(ROOT, "shopify-app/server/inbox-child.ts");
const SECRET = "test-api-secret-0123456789";
const HOUR = 3_600_000;

let database: TestDatabase;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  for (const child of children) killGroup(child);
  await database.destroy();
});

// tsx runs the script in a second node process, so the kill goes to the whole process group.
function killGroup(proc: ChildProcess): void {
  try {
    process.kill(-proc.pid!, "SIGKILL");
  } catch {
    // already gone
  }
}

async function groupGone(proc: ChildProcess): Promise<void> {
  for (;;) {
    try {
      process.kill(-proc.pid!, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function startChild(env: Record<string, string>): { proc: ChildProcess; lines: AsyncIterable<string> } {
  const proc = spawn(TSX, [CHILD], {
    env: { ...process.env, DATABASE_URL: database.url, SHOPIFY_API_SECRET: SECRET, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
  proc.stderr!.on("data", (d: Buffer) => process.stderr.write(d));
  return { proc, lines: createInterface({ input: proc.stdout! }) };
}

async function startServer(): Promise<{ proc: ChildProcess; url: string }> {
  const { proc, lines } = startChild({ MODE: "serve", LEASE_MS: "1000", BATCH_SIZE: "50" });
  for await (const line of lines) return { proc, url: (JSON.parse(line) as { url: string }).url };
  throw new Error("server exited before listening");
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
      const timer = setTimeout(() => killGroup(server.proc), killAt);
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
      killGroup(server.proc);
      kills++;
      await groupGone(server.proc);
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
    killGroup(server.proc);
    await groupGone(server.proc);
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
      const { proc, lines } = startChild({ MODE: "work", BATCH_SIZE: "25" });
      const handled: string[] = [];
      for await (const line of lines) {
        const message = JSON.parse(line) as { handled?: string[]; idle?: boolean };
        if (message.handled) handled.push(...message.handled);
        if (message.idle) break;
      }
      await groupGone(proc);
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
