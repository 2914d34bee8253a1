import type { Db } from "../../core/src/db/client.ts";
import type { Delivery, DeliveryHandler } from "../../core/src/inbox/inbox.ts";
import { ingestOrder, setOrderStatus } from "../../core/src/orders/ingest-order.ts";
import { normalizeWooOrder } from "./normalize-order.ts";
import { applyWooOrderDeletion } from "./order-deletion.ts";
import { WooDeletedOrderSchema, WooOrderSchema } from "./woo-order-schema.ts";

// The inbox worker's handler for WooCommerce deliveries. A thrown error leaves the delivery in the inbox to
// be retried with backoff (and marked dead after MAX_ATTEMPTS), so parse failures throw with a message that
// says what was wrong.

export interface OrderSink {
  ingestOrder: typeof ingestOrder;
  setOrderStatus: typeof setOrderStatus;
}

export interface WooDeliveryHandlerOptions {
  db: Db;
  now?: () => Date;
  /** Where orders go; core's order ingestion unless a test substitutes it. */
  orders?: OrderSink;
  /** For the WooCommerce REST API (an order.deleted asks the store for the order's current state). */
  fetch?: typeof fetch;
}

export function decodeWooBody(body: Uint8Array): unknown {
  // PHP's "\/" and "\u00e9" escapes are plain JSON, so JSON.parse reads WooCommerce's bodies as they are.
  const text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`body is not JSON (starts with ${JSON.stringify(text.slice(0, 40))})`);
  }
}

export function createWooDeliveryHandler(options: WooDeliveryHandlerOptions): DeliveryHandler {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const orders = options.orders ?? { ingestOrder, setOrderStatus };

  return async (delivery: Delivery) => {
    const storeId = delivery.storeId;
    if (!storeId) throw new Error("woocommerce delivery without a store id");
    switch (delivery.topic) {
      case "order.created":
      case "order.updated":
      case "order.restored": {
        const order = WooOrderSchema.parse(decodeWooBody(delivery.body));
        // Newest modification wins: ingestOrder ignores a snapshot older than the one it holds, which is
        // what makes late Action Scheduler deliveries and reconciliation polls safe to apply in any order.
        await orders.ingestOrder(db, storeId, normalizeWooOrder(order), { now: now() });
        return;
      }
      case "order.deleted": {
        const { id } = WooDeletedOrderSchema.parse(decodeWooBody(delivery.body));
        // The body has no state or time: the store is asked what the order is now (order-deletion.ts).
        await applyWooOrderDeletion({ db, storeId, orderId: id, orders, now: now(), fetch: options.fetch });
        return;
      }
      default:
        // The endpoint only queues order topics; an old row from another topic has nothing to do.
        return;
    }
  };
}
