import type { Db } from "../db/client.ts";
import { toSafeNumber } from "../shared/db-errors.ts";
import { reconcileConversion } from "./conversion-store.ts";
import { snapshotOf } from "./order-snapshot.ts";

/**
 * The scheduled sweep: commissions whose holding period has passed are approved if their conversion is
 * still valid (reconciliation decides, from the order as it is now). Returns how many changed.
 */
export async function approveDueCommissions(db: Db, now = new Date(), storeId?: string): Promise<number> {
  const due = await db.commission.findMany({
    where: { status: "pending", holdUntil: { lte: now }, ...(storeId ? { storeId } : {}) },
    select: { conversionId: true, storeId: true },
    distinct: ["conversionId"],
    take: 1000,
  });
  let changed = 0;
  for (const { conversionId, storeId: sid } of due) {
    const conversion = await db.conversion.findFirst({ where: { id: conversionId, storeId: sid } });
    if (!conversion) continue;
    const order = conversion.orderId
      ? await db.order.findFirst({ where: { id: conversion.orderId, storeId: sid } })
      : null;
    const snapshot = order
      ? snapshotOf(order)
      : { status: "confirmed" as const, total: toSafeNumber(conversion.value), refunded: 0 };
    changed += await reconcileConversion(db, sid, conversionId, snapshot, now);
  }
  return changed;
}
