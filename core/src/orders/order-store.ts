import { markOrderChanged } from "../conversions/stale-days.ts";
import type { Db } from "../db/client.ts";
import { upsertRows } from "../db/insert-rows.ts";
import { isUniqueViolation, parseJson } from "../shared/db-errors.ts";
import { newId } from "../shared/ids.ts";
import type { NormalizedOrder, OrderLine, RefundLine } from "./normalized-order.ts";

type OrderRow = NonNullable<Awaited<ReturnType<Db["order"]["findUnique"]>>>;
type Refund = { id: string; amount: number; orderAmount?: number; lines?: RefundLine[] };
type Outcome = "created" | "updated" | "unchanged" | "stale";

/** Refunds only ever accumulate, so a union by id gives the same set whatever order deliveries come in. */
export function mergeRefunds(a: readonly Refund[], b: readonly Refund[]): Refund[] {
  const byId = new Map<string, Refund>();
  for (const r of [...a, ...b]) byId.set(r.id, r);
  return [...byId.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

export function refundsOf(row: Pick<OrderRow, "refunds">): Refund[] {
  return parseJson<Refund[]>(row.refunds, []);
}

/** The order's stored lines ([] when the platform did not list them). */
export function linesOf(row: Pick<OrderRow, "lines">): OrderLine[] {
  return parseJson<OrderLine[]>(row.lines, []);
}

function orderFields(order: NormalizedOrder) {
  return {
    number: order.number,
    status: order.status,
    currency: order.currency,
    total: order.total,
    orderTotal: order.orderTotal ?? order.total,
    pricesIncludeTax: order.pricesIncludeTax ?? null,
    lines: JSON.stringify(order.lines),
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
  return {
    refunds: JSON.stringify(refunds),
    refunded: refunds.reduce((s, r) => s + r.amount, 0),
    orderRefunded: refunds.reduce((s, r) => s + (r.orderAmount ?? r.amount), 0),
  };
}

function sameSnapshot(row: OrderRow, fields: Record<string, unknown>): boolean {
  return Object.entries(fields).every(([key, value]) => {
    const stored = (row as Record<string, unknown>)[key];
    if (value instanceof Date) return stored instanceof Date && stored.getTime() === value.getTime();
    if (typeof stored === "bigint") return stored === BigInt(value as number);
    return stored === value;
  });
}

function changesRevenue(row: OrderRow, data: Record<string, unknown>): boolean {
  // Amounts are bigint in the row and numbers in the update: compare their decimal text.
  return (["status", "total", "refunded", "orderTotal", "orderRefunded"] as const).some(
    (key) => key in data && String(row[key]) !== String(data[key]),
  );
}

/**
 * Applies `change` to a stored order with compare-and-set on updatedAt: a concurrent writer makes the
 * update match nothing, and the change is recomputed from the fresh row. `change` returns null when the
 * row needs no write (a replay), which is the common case and never contends.
 */
async function updateOrder<T>(
  db: Db,
  storeId: string,
  externalId: string,
  change: (row: OrderRow) => { data: Record<string, unknown>; result: T } | { result: T; data?: undefined },
): Promise<{ row: OrderRow; result: T } | null> {
  const where = { storeId_externalId: { storeId, externalId } };
  for (let attempt = 0; attempt < 50; attempt++) {
    const row = await db.order.findUnique({ where });
    if (!row) return null;
    const { data, result } = change(row);
    if (!data) return { row, result };
    const update = {
      where: { id: row.id, updatedAt: row.updatedAt },
      data: { ...data, updatedAt: new Date(Math.max(Date.now(), row.updatedAt.getTime() + 1)) },
    };
    // The Overview's revenue follows the order's total, refunds and status: a change to those is recorded for
    // its conversion's day in the same transaction (conversions/stale-days.ts); other fields need no marker.
    const count = changesRevenue(row, data)
      ? await db.$transaction(async (tx) => {
          const { count } = await tx.order.updateMany(update);
          if (count === 1) await markOrderChanged(tx, db, storeId, externalId);
          return count;
        })
      : (await db.order.updateMany(update)).count;
    if (count === 1) return { row: await db.order.findUniqueOrThrow({ where }), result };
    await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
  }
  throw new Error(`order ${externalId}: too many concurrent updates`);
}

/**
 * Stores the newest snapshot of an order. A snapshot older than the stored one keeps the stored status
 * and amounts (deliveries arrive late and out of order) but still contributes refunds it knows about.
 */
export async function upsertOrder(
  db: Db,
  storeId: string,
  order: NormalizedOrder,
): Promise<{ row: OrderRow; outcome: Outcome }> {
  const refunds = mergeRefunds([], order.refunds);
  const fields = orderFields(order);
  const where = { storeId_externalId: { storeId, externalId: order.externalId } };
  if (!(await db.order.findUnique({ where, select: { id: true } }))) {
    try {
      const row = await db.order.create({
        data: { id: newId("or"), storeId, externalId: order.externalId, ...fields, ...refundFields(refunds) },
      });
      return { row, outcome: "created" };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  const updated = await updateOrder<Outcome>(db, storeId, order.externalId, (row) => {
    const merged = mergeRefunds(refundsOf(row), refunds);
    const newer = order.sourceUpdatedAt.getTime() >= row.sourceUpdatedAt.getTime();
    const refundsChanged = JSON.stringify(merged) !== row.refunds;
    if (!refundsChanged && (!newer || sameSnapshot(row, fields))) return { result: newer ? "unchanged" : "stale" };
    return { data: { ...(newer ? fields : {}), ...refundFields(merged) }, result: newer ? "updated" : "stale" };
  });
  if (!updated) throw new Error(`order ${order.externalId} vanished while being updated`);
  return { row: updated.row, outcome: updated.result };
}

/** Several orders at once: new ones in one insert, known ones each by compare-and-set. */
export async function upsertOrders(
  db: Db,
  storeId: string,
  orders: readonly NormalizedOrder[],
): Promise<{ row: OrderRow; outcome: Outcome }[]> {
  // Insert every order the batch names, skipping those already stored: RETURNING says which were new,
  // so a batch of new orders costs this statement alone.
  const fresh = [...new Map(orders.map((o) => [o.externalId, o])).values()];
  const now = new Date();
  const candidates = fresh.map((o) => ({
    id: newId("or"),
    storeId,
    externalId: o.externalId,
    ...orderFields(o),
    ...refundFields(mergeRefunds([], o.refunds)),
    createdAt: now,
    updatedAt: now,
  }));
  const inserted = await upsertRows<{ externalId: string }>(db, "Order", candidates, {
    conflict: ["storeId", "externalId"],
    returning: ["externalId"],
  });
  const created = new Set(inserted.map((r) => r.externalId));
  // A row just inserted holds exactly what was sent: it is built here rather than read back (reading 200
  // orders through Prisma cost more CPU than inserting them).
  const rows = new Map<string, OrderRow>();
  for (const c of candidates) {
    if (!created.has(c.externalId)) continue;
    rows.set(c.externalId, {
      ...c,
      total: BigInt(c.total),
      orderTotal: BigInt(c.orderTotal),
      refunded: BigInt(c.refunded),
      orderRefunded: BigInt(c.orderRefunded),
    });
  }
  const results: { row: OrderRow; outcome: Outcome }[] = [];
  for (const o of orders) {
    // The first occurrence of a freshly inserted order is its creation; repeats in the batch go the slow way.
    if (created.delete(o.externalId)) results.push({ row: rows.get(o.externalId)!, outcome: "created" });
    else results.push(await upsertOrder(db, storeId, o));
  }
  return results;
}

/** Adds one refund (Shopify refunds/create) to an order; replays of the same refund id change nothing. */
export async function addRefundToOrder(
  db: Db,
  storeId: string,
  externalId: string,
  refund: Refund,
): Promise<OrderRow | null> {
  const updated = await updateOrder(db, storeId, externalId, (row) => {
    const merged = mergeRefunds(refundsOf(row), [refund]);
    return JSON.stringify(merged) === row.refunds ? { result: null } : { data: refundFields(merged), result: null };
  });
  return updated?.row ?? null;
}
