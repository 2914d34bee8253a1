import { afterAll, beforeAll, expect, it } from "vitest";
import type { Db } from "../db/client.ts";
import { newClickId } from "../links/click-id.ts";
import { ingestOrders } from "../orders/ingest-order.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { seedProgram } from "../testing/fixtures.ts";

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});
afterAll(async () => {
  await database.destroy();
});

// SQLite binds at most 999 parameters per statement. A batch of orders names many clicks (each order carries
// several, and a visitor's earlier clicks join it): their lookup must not put them all in one IN (…).
it("attributes a batch of orders that together name more clicks than one statement can bind", async () => {
  const { store, links } = await seedProgram(db);
  const at = new Date("2026-06-01T12:00:00Z");
  const link = links[0]!;
  const clicks = Array.from({ length: 200 * 6 }, (_, i) => ({
    id: newClickId(),
    storeId: store.id,
    linkId: link.id,
    campaignId: link.campaignId,
    creatorId: link.creatorId,
    visitorHash: `v-${i}`,
    qualification: "qualified",
    occurredAt: new Date(at.getTime() - 3_600_000 + i),
  }));
  await db.click.createMany({ data: clicks });
  const orders = Array.from({ length: 200 }, (_, i) => ({
    externalId: `many-${i}`,
    status: "confirmed" as const,
    currency: "USD",
    total: 10_000,
    clickIds: clicks.slice(i * 6, i * 6 + 6).map((c) => c.id),
    placedAt: at,
    sourceUpdatedAt: at,
  }));
  const results = await ingestOrders(db, store.id, orders, { now: at });
  expect(results.map((r) => r.status)).toEqual(orders.map(() => "attributed"));
}, 120_000);

it("reconciles a batch of orders whose commissions, five creators each, are more than one statement can bind", async () => {
  const creators = ["Ada", "Ben", "Cy", "Di", "Ed"].map((name) => ({ name }));
  const { store, links } = await seedProgram(db, { campaign: { attributionModel: "linear" }, creators });
  const at = new Date("2026-06-01T12:00:00Z");
  const clicks = Array.from({ length: 200 }, (_, order) =>
    links.map((link, k) => ({
      id: newClickId(),
      storeId: store.id,
      linkId: link.id,
      campaignId: link.campaignId,
      creatorId: link.creatorId,
      visitorHash: `v-${order}-${k}`,
      qualification: "qualified",
      occurredAt: new Date(at.getTime() - 3_600_000 + k * 60_000),
    })),
  );
  await db.click.createMany({ data: clicks.flat() });
  const orders = clicks.map((own, i) => ({
    externalId: `shared-${i}`,
    status: "confirmed" as const,
    currency: "USD",
    total: 10_000,
    clickIds: own.map((c) => c.id),
    placedAt: at,
    sourceUpdatedAt: at,
  }));
  await ingestOrders(db, store.id, orders, { now: at });
  expect(await db.commission.count({ where: { storeId: store.id } })).toBe(200 * 5);
  const later = new Date(at.getTime() + 60_000);
  await ingestOrders(
    db,
    store.id,
    orders.map((o) => ({ ...o, status: "reversed" as const, sourceUpdatedAt: later })),
    { now: later },
  );
  expect(await db.commission.count({ where: { storeId: store.id, status: "reversed" } })).toBe(200 * 5);
}, 120_000);
