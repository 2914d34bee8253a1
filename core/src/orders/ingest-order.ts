import { type CommissionView, conversionViews } from "../conversions/conversion-store.ts";
import { snapshotOf } from "../conversions/order-snapshot.ts";
import { settleConversions } from "../conversions/settle-conversions.ts";
import type { Db } from "../db/client.ts";
import { parseJson, toSafeNumber } from "../shared/db-errors.ts";
import { invalidInput } from "../shared/errors.ts";
import { type NormalizedOrderInput, NormalizedOrderSchema, type OrderStatus, type Refund } from "./normalized-order.ts";
import { addRefundToOrder, linesOf, upsertOrders } from "./order-store.ts";

export type { CommissionView };

export interface IngestOrderResult {
  orderId: string;
  conversionId: string;
  /**
   * created: first time seen; updated: a newer snapshot was applied; unchanged: a replay of what is
   * stored; stale: an older snapshot than the stored one, ignored (its refunds still count).
   */
  outcome: "created" | "updated" | "unchanged" | "stale";
  status: "attributed" | "unattributed" | "rejected";
  commissions: CommissionView[];
}

const MAX_BATCH = 200;

type OrderRow = Awaited<ReturnType<typeof upsertOrders>>[number]["row"];

/**
 * The one path every order takes, whatever platform it came from: store the newest snapshot, attribute
 * it once (again when new touches appear), then bring its commissions in line with the order's state.
 * Every step is idempotent, so duplicated, replayed, reordered and concurrent deliveries converge.
 */
export async function ingestOrder(
  db: Db,
  storeId: string,
  input: NormalizedOrderInput,
  options: { now?: Date } = {},
): Promise<IngestOrderResult> {
  return (await ingestOrders(db, storeId, [input], options))[0]!;
}

/**
 * Many orders through the same steps with a fixed number of queries per step (reconciliation pages,
 * backfills, the benchmark). Results come back in input order.
 */
export async function ingestOrders(
  db: Db,
  storeId: string,
  inputs: readonly NormalizedOrderInput[],
  options: { now?: Date } = {},
): Promise<IngestOrderResult[]> {
  const orders = inputs.map((input, i) => {
    const parsed = NormalizedOrderSchema.safeParse(input);
    if (!parsed.success) throw invalidInput(parsed.error, inputs.length > 1 ? `order #${i}` : "order");
    return parsed.data;
  });
  // Chunks keep every IN (...) list under the databases' bound-parameter limits.
  const results: IngestOrderResult[] = [];
  for (let i = 0; i < orders.length; i += MAX_BATCH) {
    const upserted = await upsertOrders(db, storeId, orders.slice(i, i + MAX_BATCH));
    results.push(...(await settleOrders(db, storeId, upserted, options.now ?? new Date())));
  }
  return results;
}

/** Re-runs attribution and reconciliation for an order already stored (a late browser event, a refund). */
export async function settleOrder(
  db: Db,
  storeId: string,
  row: OrderRow,
  outcome: IngestOrderResult["outcome"],
  now: Date,
) {
  return (await settleOrders(db, storeId, [{ row, outcome }], now))[0]!;
}

export async function settleOrders(
  db: Db,
  storeId: string,
  items: readonly { row: OrderRow; outcome: IngestOrderResult["outcome"] }[],
  now: Date,
): Promise<IngestOrderResult[]> {
  const conversions = await settleConversions(
    db,
    storeId,
    items.map(({ row }) => ({
      source: {
        sourceKey: `order:${row.externalId}`,
        kind: "purchase" as const,
        orderId: row.id,
        value: toSafeNumber(row.total),
        currency: row.currency,
        occurredAt: row.placedAt,
      },
      touches: {
        clickIds: parseJson<string[]>(row.clickIds, []),
        checkoutToken: row.checkoutToken,
        orderRef: row.externalId,
        discountCodes: parseJson<string[]>(row.discountCodes, []),
        at: row.placedAt,
      },
      facts: {
        kind: "purchase" as const,
        value: toSafeNumber(row.total),
        orderTotal: toSafeNumber(row.orderTotal),
        currency: row.currency,
        occurredAt: row.placedAt,
        isTest: row.isTest,
        customerEmailHash: row.customerEmailHash,
        duplicate: false,
        lines: linesOf(row),
      },
      snapshot: snapshotOf(row),
    })),
    now,
  );
  const views = await conversionViews(
    db,
    storeId,
    conversions.map((c) => c.id),
  );
  return items.map((item, i) => ({
    orderId: item.row.id,
    conversionId: conversions[i]!.id,
    outcome: item.outcome,
    status: views[i]!.status === "new" ? "unattributed" : views[i]!.status,
    commissions: views[i]!.commissions,
  }));
}

/** For deliveries that carry no order body (WooCommerce order.deleted): only the status changes. */
export async function setOrderStatus(
  db: Db,
  storeId: string,
  externalId: string,
  status: OrderStatus,
  sourceUpdatedAt: Date,
  options: { now?: Date } = {},
): Promise<IngestOrderResult | null> {
  const existing = await db.order.findUnique({ where: { storeId_externalId: { storeId, externalId } } });
  if (!existing) return null;
  const refunds = parseJson<Refund[]>(existing.refunds, []);
  return ingestOrder(
    db,
    storeId,
    {
      externalId,
      number: existing.number,
      status,
      currency: existing.currency,
      total: toSafeNumber(existing.total),
      orderTotal: toSafeNumber(existing.orderTotal),
      pricesIncludeTax: existing.pricesIncludeTax,
      lines: linesOf(existing),
      refunds,
      customerEmailHash: existing.customerEmailHash,
      customerRef: existing.customerRef,
      checkoutToken: existing.checkoutToken,
      landingUrl: existing.landingUrl,
      clickIds: parseJson<string[]>(existing.clickIds, []),
      discountCodes: parseJson<string[]>(existing.discountCodes, []),
      isTest: existing.isTest,
      placedAt: existing.placedAt,
      sourceUpdatedAt,
    },
    options,
  );
}

/**
 * Shopify's refunds/create carries one refund, not the order. A refund that arrives before its order
 * cannot be stored yet: the caller's inbox retries it, and the order's own snapshot usually lists it too.
 */
export async function addOrderRefund(
  db: Db,
  storeId: string,
  externalId: string,
  refund: Refund,
  options: { now?: Date } = {},
): Promise<IngestOrderResult | null> {
  const row = await addRefundToOrder(db, storeId, externalId, refund);
  if (!row) return null;
  return settleOrder(db, storeId, row, "updated", options.now ?? new Date());
}
