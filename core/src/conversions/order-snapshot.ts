import type { OrderSnapshot } from "../commissions/index.ts";
import type { RefundedLine } from "../commissions/line-commissions.ts";
import type { Db } from "../db/client.ts";
import { parseJson, toSafeNumber } from "../shared/db-errors.ts";

type OrderRow = NonNullable<Awaited<ReturnType<Db["order"]["findUnique"]>>>;

/** An order's state on both commission bases (snapshotOf); events have only one. */
export type BaseSnapshot = OrderSnapshot & { orderTotal?: number; orderRefunded?: number };

/**
 * The order's state for reconciliation, on both commission bases. It lives with the conversions that are
 * reconciled against it, so that orders depend on conversions and never the other way round.
 */
export function snapshotOf(
  row: Pick<OrderRow, "status" | "total" | "refunded" | "orderTotal" | "orderRefunded"> &
    Partial<Pick<OrderRow, "lines" | "refunds">>,
): BaseSnapshot & { orderTotal: number; orderRefunded: number } {
  const total = toSafeNumber(row.total);
  const orderTotal = toSafeNumber(row.orderTotal);
  const lines = parseJson<{ id: string; amount: number; quantity: number; giftCard?: boolean }[]>(
    row.lines ?? "[]",
    [],
  );
  const refunds = parseJson<{ lines?: RefundedLine[] }[]>(row.refunds ?? "[]", []);
  return {
    status: row.status as OrderSnapshot["status"],
    total,
    refunded: Math.min(toSafeNumber(row.refunded), total),
    orderTotal,
    orderRefunded: Math.min(toSafeNumber(row.orderRefunded), orderTotal),
    ...(lines.length
      ? {
          lines: lines.map((l) => ({ id: l.id, amount: l.giftCard ? 0 : l.amount, quantity: l.quantity })),
          refundLines: refunds.flatMap((r) => r.lines ?? []),
        }
      : {}),
  };
}
