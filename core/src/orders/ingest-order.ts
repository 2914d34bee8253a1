import type { CommissionView } from "../conversions/conversion-store.ts";
import {
  attributeConversion,
  conversionView,
  ensureConversion,
  reconcileConversion,
} from "../conversions/conversion-store.ts";
import { resolveTouches } from "../conversions/touches.ts";
import type { Db } from "../db/client.ts";
import { invalidInput } from "../http/error-response.ts";
import { parseJson, toSafeNumber } from "../shared/db-errors.ts";
import { type NormalizedOrderInput, NormalizedOrderSchema, type OrderStatus } from "./normalized-order.ts";
import { addRefundToOrder, snapshotOf, upsertOrder } from "./order-store.ts";

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

type OrderRow = Awaited<ReturnType<typeof upsertOrder>>["row"];

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
  const parsed = NormalizedOrderSchema.safeParse(input);
  if (!parsed.success) throw invalidInput(parsed.error, "order");
  const { row, outcome } = await upsertOrder(db, storeId, parsed.data);
  return settleOrder(db, storeId, row, outcome, options.now ?? new Date());
}

/** Re-runs attribution and reconciliation for an order already stored (a late browser event, a refund). */
export async function settleOrder(
  db: Db,
  storeId: string,
  row: OrderRow,
  outcome: IngestOrderResult["outcome"],
  now: Date,
): Promise<IngestOrderResult> {
  const conversion = await ensureConversion(db, storeId, {
    sourceKey: `order:${row.externalId}`,
    kind: "purchase",
    orderId: row.id,
    value: toSafeNumber(row.total),
    currency: row.currency,
    occurredAt: row.placedAt,
  });
  const touches = await resolveTouches(db, storeId, {
    clickIds: parseJson<string[]>(row.clickIds, []),
    checkoutToken: row.checkoutToken,
    orderRef: row.externalId,
    discountCodes: parseJson<string[]>(row.discountCodes, []),
    at: row.placedAt,
  });
  await attributeConversion(
    db,
    storeId,
    conversion.id,
    touches,
    {
      kind: "purchase",
      value: toSafeNumber(row.total),
      currency: row.currency,
      occurredAt: row.placedAt,
      isTest: row.isTest,
      customerEmailHash: row.customerEmailHash,
      duplicate: false,
    },
    now,
  );
  await reconcileConversion(db, storeId, conversion.id, snapshotOf(row), now);
  const view = await conversionView(db, storeId, conversion.id);
  return {
    orderId: row.id,
    conversionId: conversion.id,
    outcome,
    status: view.status === "new" ? "unattributed" : view.status,
    commissions: view.commissions,
  };
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
  const refunds = parseJson<{ id: string; amount: number }[]>(existing.refunds, []);
  return ingestOrder(
    db,
    storeId,
    {
      externalId,
      number: existing.number,
      status,
      currency: existing.currency,
      total: toSafeNumber(existing.total),
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
  refund: { id: string; amount: number },
  options: { now?: Date } = {},
): Promise<IngestOrderResult | null> {
  const row = await addRefundToOrder(db, storeId, externalId, refund);
  if (!row) return null;
  return settleOrder(db, storeId, row, "updated", options.now ?? new Date());
}
