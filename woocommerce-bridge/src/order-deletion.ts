import { usesCollectionRules } from "@trailmark/core/campaigns";
import type { Db } from "@trailmark/core/db";
import { getStore } from "@trailmark/core/stores";
import { normalizeWooOrder } from "./normalize-order.ts";
import type { OrderSink } from "./order-sink.ts";
import { fetchWooProductCategories, productIdsOf } from "./product-categories.ts";
import { fetchWooRefundItems, type RefundItemsCache } from "./refund-items.ts";
import { createWooClient, ORDERS_ROUTE, WooApiError } from "./woo-client.ts";
import { wooApiAccessOf, wooCredentialsOf } from "./woo-credentials.ts";
import { WooOrderSchema } from "./woo-order-schema.ts";

// order.deleted carries only the order's id, no state and no time, and it may be processed after the merchant
// restored the order. Reversing it on the bridge's clock made such a deletion newer than the restore for ever
// (and reconciliation then called the store's own state stale). So the store is asked what the order is now:
// the answer is an ordinary snapshot with the store's modification time (a trashed order maps to reversed), and
// newest-wins decides as for any delivery. Only an order the store no longer has at all is reversed outright:
// nothing can bring it back.

export interface OrderDeletionOptions {
  db: Db;
  storeId: string;
  orderId: string;
  orders: OrderSink;
  now: Date;
  fetch?: typeof fetch;
  refundCache?: RefundItemsCache;
}

export type OrderDeletionOutcome = "unknown_order" | "snapshot" | "deleted_at_store" | "not_connected";

export async function applyWooOrderDeletion(options: OrderDeletionOptions): Promise<OrderDeletionOutcome> {
  const { db, storeId, orderId, orders, now } = options;
  const held = await db.order.findUnique({
    where: { storeId_externalId: { storeId, externalId: orderId } },
    select: { id: true },
  });
  // An order never stored has nothing to reverse; if it still exists, reconciliation brings it in.
  if (!held) return "unknown_order";
  const store = await getStore(db, storeId);
  const access = store ? wooApiAccessOf(wooCredentialsOf(store)) : null;
  if (!access) {
    // Without keys there is no one to ask: the deletion is as new as our knowledge of it.
    await orders.setOrderStatus(db, storeId, orderId, "reversed", now, { now });
    return "not_connected";
  }
  const client = createWooClient({ ...access, fetch: options.fetch });
  let body: unknown;
  try {
    body = (await client.get(`${ORDERS_ROUTE}/${encodeURIComponent(orderId)}`)).body;
  } catch (error) {
    if (!(error instanceof WooApiError && error.failure === "not_found")) throw error; // retried by the inbox
    await orders.setOrderStatus(db, storeId, orderId, "reversed", now, { now });
    return "deleted_at_store";
  }
  const order = WooOrderSchema.parse(body);
  const refundItems = order.refunds?.length
    ? await fetchWooRefundItems({ client, storeId, order, cache: options.refundCache })
    : undefined;
  const categories = (await usesCollectionRules(db, storeId))
    ? await fetchWooProductCategories({ client, storeId, productIds: productIdsOf(order) })
    : undefined;
  await orders.ingestOrder(db, storeId, normalizeWooOrder(order, refundItems, categories), { now });
  return "snapshot";
}
