import type { Db } from "@trailmark/core/db";
import {
  createInboxRecorder,
  createInboxWorker,
  type InboxRecorder,
  type InboxWorker,
  openInboxWriter,
} from "@trailmark/core/inbox";
import { type RunningServer, serveFetch } from "@trailmark/core/server";
import { createTestDatabase, insertClick, seedProgram, type TestDatabase } from "@trailmark/core/testing";
import { createShopifyDeliveryHandler } from "@trailmark/shopify";
import { big, numberedOrder, numberedOrderId, shopifyJson, webhookHeaders } from "@trailmark/shopify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shopifyWebhookRoute } from "./webhook-route.ts";

// The inbox worker's batch path, fed through the real receipt over HTTP with signed deliveries: a claimed batch
// of one store's order deliveries goes through ingestOrders together, a delivery that fails fails alone, and
// the result does not depend on the order deliveries arrive in.

const SECRET = "test-api-secret-0123456789";
const HOUR = 3_600_000;
let database: TestDatabase;
let db: Db;
let server: RunningServer;
let recorder: InboxRecorder;
let clock = Date.now();
const now = () => new Date(clock);
const logs: string[] = [];

beforeAll(async () => {
  process.env.SHOPIFY_API_SECRET = SECRET;
  database = await createTestDatabase();
  db = database.db;
  recorder = createInboxRecorder({ writer: openInboxWriter(database), provider: database.provider, now });
  server = await serveFetch(async () => new Response(null, { status: 404 }), {
    port: 0,
    host: "127.0.0.1",
    nodeRoutes: [shopifyWebhookRoute(db, recorder)],
  });
});

afterAll(async () => {
  await server?.close();
  await recorder?.close();
  await database?.destroy();
});

async function shopifyProgram(shop: string) {
  const program = await seedProgram(db, { domain: shop });
  await db.store.update({ where: { id: program.store.id }, data: { platform: "shopify" } });
  return program;
}

function worker(batchSize = 200): InboxWorker {
  return createInboxWorker({
    db,
    handlers: { shopify: createShopifyDeliveryHandler(db, { now, log: (m) => logs.push(m) }) },
    now,
    batchSize,
    log: (m) => logs.push(m),
  });
}

let events = 0;
async function send(shop: string, topic: string, body: string): Promise<string> {
  const eventId = `evt-${++events}`;
  const path = `/webhooks/${topic}`;
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    body,
    headers: webhookHeaders({ topic, body, secret: SECRET, shop, eventId }),
  });
  expect(response.status).toBe(200);
  return eventId;
}

function inboxRow(eventId: string) {
  return db.webhookInbox.findUniqueOrThrow({ where: { source_dedupKey: { source: "shopify", dedupKey: eventId } } });
}

async function commissionsOf(storeId: string, externalId: string) {
  const order = await db.order.findUniqueOrThrow({ where: { storeId_externalId: { storeId, externalId } } });
  const conversion = await db.conversion.findUniqueOrThrow({
    where: { storeId_sourceKey: { storeId, sourceKey: `order:${externalId}` } },
  });
  const commissions = await db.commission.findMany({ where: { conversionId: conversion.id } });
  return { order, commissions };
}

describe("batch processing", () => {
  it("ingests a batch's orders together; an order that cannot be read fails alone, JSON that never parses is dead at once", async () => {
    const shop = "batch.myshopify.com";
    const { store, links } = await shopifyProgram(shop);
    const placed = new Date(clock - HOUR);
    const good: { eventId: string; n: number }[] = [];
    let bad = "";
    let garbage = "";
    for (let n = 0; n < 40; n++) {
      const clickId = await insertClick(db, links[n % 2]!, new Date(placed.getTime() - HOUR));
      const body = shopifyJson(numberedOrder(n, { clickId, createdAt: placed.toISOString() }));
      good.push({ eventId: await send(shop, "orders/create", body), n });
      if (n === 10)
        bad = await send(
          shop,
          "orders/create",
          shopifyJson(numberedOrder(1000, { shop })).replace('"currency":"USD"', '"currency":3'),
        );
      if (n === 20) garbage = await send(shop, "orders/paid", "<html>Bad gateway</html>");
    }
    expect(await worker().drain()).toBe(42);

    for (const { eventId, n } of good) {
      expect((await inboxRow(eventId)).status).toBe("done");
      const { order, commissions } = await commissionsOf(store.id, numberedOrderId(n));
      expect(order.status).toBe("confirmed");
      expect(commissions).toHaveLength(1);
      expect(commissions[0]).toMatchObject({ creatorId: links[n % 2]!.creatorId, amount: 899n, status: "pending" });
    }
    const failed = await inboxRow(bad);
    expect(failed).toMatchObject({ status: "failed", attempts: 1 });
    expect(failed.lastError).toMatch(/invalid Shopify order: currency/);
    expect(failed.nextAttemptAt.getTime()).toBe(clock + 2000);
    const dead = await inboxRow(garbage);
    expect(dead).toMatchObject({ status: "dead", attempts: 1 });
    expect(dead.lastError).toBe('body is not JSON (starts with "<html>Bad gateway</html>")');
  });

  // 600 deliveries through the receipt and the worker: ~23 s alone on a loaded machine (the worker's drain is
  // most of it), past the default 30 s when another test file runs beside it.
  it("gives the same order and commission whatever order create, paid, updated, cancelled and a refund arrive in", {
    timeout: 120_000,
  }, async () => {
    const shop = "permutations.myshopify.com";
    const { store, links } = await shopifyProgram(shop);
    const placed = new Date(clock - 10 * HOUR);
    const at = (minutes: number) => new Date(placed.getTime() + minutes * 60_000).toISOString();
    const permutations = (items: number[]): number[][] =>
      items.length <= 1
        ? [items]
        : items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [x, ...p]));
    const orders = permutations([0, 1, 2, 3, 4]);
    for (const [k, order] of orders.entries()) {
      const n = 2000 + k;
      const id = numberedOrderId(n);
      const clickId = await insertClick(db, links[0]!, new Date(placed.getTime() - HOUR));
      const base = { clickId, createdAt: placed.toISOString() };
      const refund = {
        id: big(String(7_000_000_000_000_000_000n + BigInt(k))),
        order_id: big(id),
        transactions: [{ id: big("1"), amount: "20.00", currency: "USD", kind: "refund", status: "success" }],
      };
      const deliveries: [string, string][] = [
        ["orders/create", shopifyJson(numberedOrder(n, { ...base, financialStatus: "pending" }))],
        ["orders/paid", shopifyJson(numberedOrder(n, { ...base, updatedAt: at(5) }))],
        [
          "orders/updated",
          shopifyJson(numberedOrder(n, { ...base, updatedAt: at(10), financialStatus: "partially_refunded" })),
        ],
        ["orders/cancelled", shopifyJson(numberedOrder(n, { ...base, updatedAt: at(20), cancelledAt: at(20) }))],
        ["refunds/create", shopifyJson({ created_at: at(15), processed_at: at(15), refund_line_items: [], ...refund })],
      ];
      for (const i of order) await send(shop, deliveries[i]![0], deliveries[i]![1]);
    }
    // A refund that arrives before its order waits for a retry; the clock moves past the backoff.
    const w = worker();
    await w.drain();
    clock += HOUR;
    await w.drain();

    const outcomes = new Set<string>();
    for (let k = 0; k < orders.length; k++) {
      const { order, commissions } = await commissionsOf(store.id, numberedOrderId(2000 + k));
      outcomes.add(
        JSON.stringify({
          status: order.status,
          refunded: String(order.refunded),
          commissions: commissions.map((c) => [c.status, String(c.amount)]),
        }),
      );
    }
    expect([...outcomes]).toEqual([
      JSON.stringify({ status: "reversed", refunded: "2000", commissions: [["reversed", "0"]] }),
    ]);
    expect(await db.webhookInbox.count({ where: { storeId: store.id, status: { not: "done" } } })).toBe(0);
  });
});
