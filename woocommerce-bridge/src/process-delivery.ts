import { usesCollectionRules } from "@trailmark/core/campaigns";
import type { Db } from "@trailmark/core/db";
import {
  cachedLookup,
  type Delivery,
  type DeliveryHandler,
  type DeliveryOutcome,
  type DeliveryWork,
  ingestOrderBatch,
  PermanentDeliveryError,
  processDeliveryBatch,
} from "@trailmark/core/inbox";
import { ingestOrder, setOrderStatus } from "@trailmark/core/orders";
import { getStore } from "@trailmark/core/stores";
import { normalizeWooOrder } from "./normalize-order.ts";
import { applyWooOrderDeletion } from "./order-deletion.ts";
import type { OrderSink } from "./order-sink.ts";
import {
  fetchWooProductCategories,
  type ProductCategoriesCache,
  productIdsOf,
  type WooProductCategories,
} from "./product-categories.ts";
import { fetchWooRefundItems, type RefundItemsCache, type WooRefundItems } from "./refund-items.ts";
import { createWooClient } from "./woo-client.ts";
import { wooApiAccessOf, wooCredentialsOf } from "./woo-credentials.ts";
import { WooDeletedOrderSchema, type WooOrder, WooOrderSchema } from "./woo-order-schema.ts";

const CATALOGUE_ACCESS_TTL_MS = 2_000;

// The inbox worker's handler for WooCommerce deliveries. A thrown error leaves the delivery in the inbox to
// be retried with backoff (and marked dead after MAX_ATTEMPTS), so parse failures throw with a message that
// says what was wrong.

export interface WooDeliveryHandlerOptions {
  db: Db;
  now?: () => Date;
  /** Where orders go; core's order ingestion unless a test substitutes it. */
  orders?: OrderSink;
  /**
   * For the WooCommerce REST API: an order.deleted asks the store for the order's current state, and an
   * order with refunds for the items each refund took back.
   */
  fetch?: typeof fetch;
  /** Refunds already fetched (refund-items.ts); the process's shared cache unless a test gives its own. */
  refundCache?: RefundItemsCache;
  /** Products' categories already fetched (product-categories.ts); the process's shared cache by default. */
  categoryCache?: ProductCategoriesCache;
  log?: (message: string) => void;
}

/** The body's JSON; a body that is not UTF-8 JSON can never succeed, so it is dead at once. */
export function decodeWooBody(body: Uint8Array): unknown {
  // PHP's "\/" and "\u00e9" escapes are plain JSON, so JSON.parse reads WooCommerce's bodies as they are.
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    throw new PermanentDeliveryError("body is not UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new PermanentDeliveryError(`body is not JSON (starts with ${JSON.stringify(text.slice(0, 40))})`);
  }
}

export function createWooDeliveryHandler(options: WooDeliveryHandlerOptions): DeliveryHandler {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const orders = options.orders ?? { ingestOrder, setOrderStatus };

  const snapshotTopic = (topic: string) =>
    topic === "order.created" || topic === "order.updated" || topic === "order.restored";

  // Whether the store can be asked (REST keys) and needs categories (a campaign rates by category), read once per
  // store every few seconds rather than once per order: a batch holds up to hundreds of one store's orders. A
  // key or a rule added meanwhile is seen by the orders of the next seconds.
  const catalogueAccess = cachedLookup(async (storeId) => {
    const store = await getStore(db, storeId);
    const access = store ? wooApiAccessOf(wooCredentialsOf(store)) : null;
    return { access, categoryRules: access ? await usesCollectionRules(db, storeId) : false };
  }, CATALOGUE_ACCESS_TTL_MS);

  // The refunded items of an order with refunds and its products' categories, from the store's REST API.
  // Without REST keys there is no one to ask: each refund then takes its proportional share of the items base
  // (normalize-order.ts) and the lines have no categories.
  async function catalogueOf(
    storeId: string,
    order: WooOrder,
  ): Promise<{ refundItems?: WooRefundItems; categories?: WooProductCategories }> {
    const productIds = productIdsOf(order);
    if (!order.refunds?.length && productIds.length === 0) return {};
    const { access, categoryRules } = await catalogueAccess.get(storeId);
    if (!access) return {};
    // A slow store holds up the worker's batch: after 10 s the refunds take their share and the order's next
    // snapshot asks again.
    const client = createWooClient({ ...access, fetch: options.fetch, timeoutMs: 10_000 });
    const refundItems = order.refunds?.length
      ? await fetchWooRefundItems({ client, storeId, order, cache: options.refundCache, log: options.log })
      : undefined;
    const categories =
      productIds.length && categoryRules
        ? await fetchWooProductCategories({
            client,
            storeId,
            productIds,
            cache: options.categoryCache,
            log: options.log,
          })
        : undefined;
    return { refundItems, categories };
  }

  async function snapshotOf(delivery: Delivery) {
    const order = WooOrderSchema.parse(decodeWooBody(delivery.body));
    const { refundItems, categories } = delivery.storeId ? await catalogueOf(delivery.storeId, order) : {};
    return normalizeWooOrder(order, refundItems, categories);
  }

  async function handleWooDelivery(delivery: Delivery): Promise<void> {
    const storeId = delivery.storeId;
    if (!storeId) throw new Error("woocommerce delivery without a store id");
    switch (delivery.topic) {
      case "order.created":
      case "order.updated":
      case "order.restored": {
        // Newest modification wins: ingestOrder ignores a snapshot older than the one it holds, which is
        // what makes late Action Scheduler deliveries and reconciliation polls safe to apply in any order.
        await orders.ingestOrder(db, storeId, await snapshotOf(delivery), { now: now() });
        return;
      }
      case "order.deleted": {
        const { id } = WooDeletedOrderSchema.parse(decodeWooBody(delivery.body));
        // The body has no state or time: the store is asked what the order is now (order-deletion.ts).
        await applyWooOrderDeletion({
          db,
          storeId,
          orderId: id,
          orders,
          now: now(),
          fetch: options.fetch,
          refundCache: options.refundCache,
        });
        return;
      }
      default:
        // The endpoint only queues order topics; an old row from another topic has nothing to do.
        return;
    }
  }

  // A batch of one store's deliveries in arrival order: its snapshots through ingestOrders together (unless a
  // test substituted the order sink), deletions in their place.
  async function handleBatch(deliveries: readonly Delivery[]): Promise<DeliveryOutcome[]> {
    const storeId = deliveries[0]!.storeId;
    if (!storeId || options.orders) {
      const outcomes: DeliveryOutcome[] = [];
      for (const d of deliveries)
        outcomes.push(
          await handleWooDelivery(d).then(
            () => null,
            (error: unknown) => error,
          ),
        );
      return outcomes;
    }
    return processDeliveryBatch(
      deliveries,
      async (d): Promise<DeliveryWork> =>
        snapshotTopic(d.topic) ? { order: await snapshotOf(d) } : { run: () => handleWooDelivery(d) },
      (snapshots) => ingestOrderBatch(db, storeId, snapshots, now()),
    );
  }

  return Object.assign(handleWooDelivery, { batch: handleBatch });
}
