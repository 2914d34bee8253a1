import type { OrderSnapshot } from "../commissions/index.ts";
import type { Db } from "../db/client.ts";
import { toSafeNumber } from "../shared/db-errors.ts";

type OrderRow = NonNullable<Awaited<ReturnType<Db["order"]["findUnique"]>>>;

/** An order's state on both commission bases (snapshotOf); events have only one. */
export type BaseSnapshot = OrderSnapshot & { orderTotal?: number; orderRefunded?: number };

/**
 * The order's state for reconciliation, on both commission bases. It lives with the conversions that are
 * reconciled against it, so that orders depend on conversions and never the other way round.
 */
export function snapshotOf(
  row: Pick<OrderRow, "status" | "total" | "refunded" | "orderTotal" | "orderRefunded">,
): Required<BaseSnapshot> {
  const total = toSafeNumber(row.total);
  const orderTotal = toSafeNumber(row.orderTotal);
  return {
    status: row.status as OrderSnapshot["status"],
    total,
    refunded: Math.min(toSafeNumber(row.refunded), total),
    orderTotal,
    orderRefunded: Math.min(toSafeNumber(row.orderRefunded), orderTotal),
  };
}
