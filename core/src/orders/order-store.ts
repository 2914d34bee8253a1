import type { Db } from "../db/client.ts";
import { insertRows } from "../db/insert-rows.ts";
import { isUniqueViolation, parseJson, toSafeNumber } from "../shared/db-errors.ts";
import { newId } from "../shared/ids.ts";
import type { NormalizedOrder, OrderStatus } from "./normalized-order.ts";

type OrderRow = NonNullable<Awaited<ReturnType<Db["order"]["findUnique"]>>>;
type Refund = { id: string; amount: number };

/** Refunds only ever accumulate, so a union by id gives the same set whatever order deliveries come in. */
export function mergeRefunds(a: readonly Refund[], b: readonly Refund[]): Refund[] {
  const byId = new Map<string, Refund>();
  for (const r of [...a, ...b]) byId.set(r.id, r);
  return [...byId.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

export function refundsOf(row: Pick<OrderRow, "refunds">): Refund[] {
  return parseJson<Refund[]>(row.refunds, []);
}

export function snapshotOf(row: Pick<OrderRow, "status" | "total" | "refunded">) {
  const total = toSafeNumber(row.total);
  return {
    status: row.status as OrderStatus,
    total,
    refunded: Math.min(toSafeNumber(row.refunded), total),
  };
}

type Outcome = "created" | "updated" | "unchanged" | "stale";

/** Several orders at once: new ones in one insert, known ones each by compare-and-set. */
export async function upsertOrders(
  db: Db,
  storeId: string,
  orders: readonly NormalizedOrder[],
): Promise<{ row: OrderRow; outcome: Outcome }[]> {
  const ids = [...new Set(orders.map((o) => o.externalId))];
  const existing = new Map(
    (await db.order.findMany({ where: { storeId, externalId: { in: ids } } })).map((r) => [r.externalId, r]),
  );
  const fresh = orders.filter(
    (o, i) => !existing.has(o.externalId) && orders.findIndex((x) => x.externalId === o.externalId) === i,
  );
  const created = new Set<string>();
  if (fresh.length > 0) {
    try {
      const now = new Date();
      await insertRows(
        db,
        "Order",
        fresh.map((o) => ({
          id: newId("or"),
          storeId,
          ...orderFields(o),
          ...refundFields(o.refunds),
          createdAt: now,
          updatedAt: now,
        })),
      );
      for (const o of fresh) created.add(o.externalId);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  const rows = created.size
    ? new Map(
        (await db.order.findMany({ where: { storeId, externalId: { in: [...created] } } })).map((r) => [
          r.externalId,
          r,
        ]),
      )
    : new Map<string, OrderRow>();
  const results: { row: OrderRow; outcome: Outcome }[] = [];
  for (const o of orders) {
    if (created.has(o.externalId) && rows.has(o.externalId)) {
      created.delete(o.externalId);
      results.push({ row: rows.get(o.externalId)!, outcome: "created" });
    } else results.push(await upsertOrder(db, storeId, o));
  }
  return results;
}

function orderFields(order: NormalizedOrder) {
  return {
    externalId: order.externalId,
    number: order.number,
    status: order.status,
    currency: order.currency,
    total: order.total,
    customerEmailHash: order.customerEmailHash,
    customerRef: order.customerRef,
    checkoutToken: order.checkoutToken,
    landingUrl: order.landingUrl,
    clickIds: JSON.stringify(order.clickIds),
    discountCodes: JSON.stringify(order.discountCodes),
    isTest: order.isTest,
    placedAt: order.placedAt,
    sourceUpdatedAt: order.sourceUpdatedAt,
  };
}

function refundFields(refunds: readonly Refund[]) {
  const merged = mergeRefunds([], refunds);
  return { refunds: JSON.stringify(merged), refunded: merged.reduce((s, r) => s + r.amount, 0) };
}

/**
 * Stores the newest snapshot of an order. A snapshot older than the stored one keeps the stored status
 * and amounts (deliveries arrive late and out of order) but still contributes refunds it knows about.
 */
export async function upsertOrder(
  db: Db,
  storeId: string,
  order: NormalizedOrder,
): Promise<{ row: OrderRow; outcome: "created" | "updated" | "unchanged" | "stale" }> {
  const refunds = mergeRefunds([], order.refunds);
  const refunded = refunds.reduce((s, r) => s + r.amount, 0);
  const fields = {
    number: order.number,
    status: order.status,
    currency: order.currency,
    total: order.total,
    customerEmailHash: order.customerEmailHash,
    customerRef: order.customerRef,
    checkoutToken: order.checkoutToken,
    landingUrl: order.landingUrl,
    clickIds: JSON.stringify(order.clickIds),
    discountCodes: JSON.stringify(order.discountCodes),
    isTest: order.isTest,
    placedAt: order.placedAt,
    sourceUpdatedAt: order.sourceUpdatedAt,
  };
  const where = { storeId_externalId: { storeId, externalId: order.externalId } };
  let existing = await db.order.findUnique({ where });
  if (!existing) {
    try {
      const row = await db.order.create({
        data: {
          id: newId("or"),
          storeId,
          externalId: order.externalId,
          ...fields,
          refunds: JSON.stringify(refunds),
          refunded,
        },
      });
      return { row, outcome: "created" };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      existing = await db.order.findUniqueOrThrow({ where });
    }
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const merged = mergeRefunds(refundsOf(existing), refunds);
    const newer = order.sourceUpdatedAt.getTime() >= existing.sourceUpdatedAt.getTime();
    const refundsChanged = JSON.stringify(merged) !== existing.refunds;
    // Replays and duplicates change nothing: answer without writing, so they never contend.
    if (!refundsChanged && (!newer || sameSnapshot(existing, fields))) {
      return { row: existing, outcome: newer ? "unchanged" : "stale" };
    }
    // Compare-and-set on updatedAt: a concurrent writer makes this update match nothing, and we retry.
    const { count } = await db.order.updateMany({
      where: { id: existing.id, updatedAt: existing.updatedAt },
      data: {
        ...(newer ? fields : {}),
        refunds: JSON.stringify(merged),
        refunded: merged.reduce((s, r) => s + r.amount, 0),
        updatedAt: new Date(Math.max(Date.now(), existing.updatedAt.getTime() + 1)),
      },
    });
    if (count === 1) {
      const row = await db.order.findUniqueOrThrow({ where });
      return { row, outcome: newer ? "updated" : "stale" };
    }
    await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
    existing = await db.order.findUniqueOrThrow({ where });
  }
  throw new Error(`order ${order.externalId}: too many concurrent updates`);
}

function sameSnapshot(row: OrderRow, fields: Record<string, unknown>): boolean {
  return Object.entries(fields).every(([key, value]) => {
    const stored = (row as Record<string, unknown>)[key];
    if (value instanceof Date) return stored instanceof Date && stored.getTime() === value.getTime();
    if (typeof stored === "bigint") return stored === BigInt(value as number);
    return stored === value;
  });
}

/** Adds one refund (Shopify refunds/create) to an order; replays of the same refund id change nothing. */
export async function addRefundToOrder(
  db: Db,
  storeId: string,
  externalId: string,
  refund: Refund,
): Promise<OrderRow | null> {
  const where = { storeId_externalId: { storeId, externalId } };
  for (let attempt = 0; attempt < 20; attempt++) {
    const existing = await db.order.findUnique({ where });
    if (!existing) return null;
    const merged = mergeRefunds(refundsOf(existing), [refund]);
    const { count } = await db.order.updateMany({
      where: { id: existing.id, updatedAt: existing.updatedAt },
      data: {
        refunds: JSON.stringify(merged),
        refunded: merged.reduce((s, r) => s + r.amount, 0),
        updatedAt: new Date(Math.max(Date.now(), existing.updatedAt.getTime() + 1)),
      },
    });
    if (count === 1) return db.order.findUniqueOrThrow({ where });
  }
  throw new Error(`order ${externalId}: too many concurrent updates`);
}
