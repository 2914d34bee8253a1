import type { Db } from "@trailmark/core/db";
import {
  createInboxWorker,
  type Delivery,
  type DeliveryHandler,
  type DeliveryOutcome,
  type DeliveryWork,
  type InboxWorker,
  ingestOrderBatch,
  PermanentDeliveryError,
  processDeliveryBatch,
} from "@trailmark/core/inbox";
import type { NormalizedOrderInput } from "@trailmark/core/orders";
import { addOrderRefund } from "@trailmark/core/orders";
import { findStoreByDomain, type Store, setStoreStatus } from "@trailmark/core/stores";
import { z } from "zod";
import { handleCustomersDataRequest, handleCustomersRedact, handleShopRedact } from "./compliance.ts";
import { normalizeShopifyOrder, parseShopifyRefund, toNormalizedRefund } from "./normalize-order.ts";
import { parseJsonKeepingBigInts } from "./shopify-json.ts";

// The inbox worker's Shopify handler: one stored delivery in, its effect on core out. Every branch is
// idempotent, because a delivery that failed half-way is retried from the start. Throwing means "retry later".

const ScopesUpdateSchema = z.object({ current: z.array(z.string()) });

const decoder = new TextDecoder();

export interface ShopifyDeliveryOptions {
  now?: () => Date;
  log?: (message: string) => void;
}

function shopOf(delivery: Delivery): string {
  const shop = delivery.headers["x-shopify-shop-domain"]?.trim().toLowerCase();
  if (!shop) throw new Error(`delivery ${delivery.id} has no x-shopify-shop-domain header`);
  return shop;
}

function triggeredAt(delivery: Delivery, fallback: Date): Date {
  const at = Date.parse(delivery.headers["x-shopify-triggered-at"] ?? "");
  return Number.isNaN(at) ? fallback : new Date(at);
}

/**
 * Orders can reach us before the install finished creating the store. They wait for it (retried, and adopted
 * by the install): a store is made only by an install, never by an order of a shop that never installed.
 */
async function requireStore(db: Db, shop: string): Promise<Store> {
  const existing = await findStoreByDomain(db, "shopify", shop);
  if (!existing) throw new Error(`${shop} has no store yet (not installed); the delivery waits for the install`);
  return existing;
}

const ORDER_TOPICS = new Set(["orders/create", "orders/paid", "orders/updated", "orders/cancelled"]);

/** An order delivery's snapshot; a body that is not JSON at all can never succeed and is dead at once. */
function orderOf(delivery: Delivery): NormalizedOrderInput {
  const body = decoder.decode(delivery.body);
  try {
    return normalizeShopifyOrder(body);
  } catch (error) {
    try {
      JSON.parse(body);
    } catch {
      throw new PermanentDeliveryError(`body is not JSON (starts with ${JSON.stringify(body.slice(0, 40))})`);
    }
    throw error;
  }
}

export function createShopifyDeliveryHandler(db: Db, options: ShopifyDeliveryOptions = {}): DeliveryHandler {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((m: string) => console.info(m));

  async function handleShopifyDelivery(delivery: Delivery): Promise<void> {
    const shop = shopOf(delivery);
    const body = decoder.decode(delivery.body);
    switch (delivery.topic) {
      case "orders/create":
      case "orders/paid":
      case "orders/updated":
      case "orders/cancelled": {
        const order = orderOf(delivery);
        const store = await requireStore(db, shop);
        const [outcome] = await ingestOrderBatch(db, store.id, [order], now());
        if (outcome) throw outcome;
        return;
      }
      case "refunds/create": {
        const store = await requireStore(db, shop);
        const parsed = parseShopifyRefund(body);
        // The delivery does not say whether the shop's prices include tax; the order, stored with its
        // taxes_included, does. An order not stored yet fails below and is retried.
        const held = await db.order.findUnique({
          where: { storeId_externalId: { storeId: store.id, externalId: parsed.order_id } },
          select: { pricesIncludeTax: true },
        });
        const { orderExternalId, refund } = toNormalizedRefund(parsed, store.currency, held?.pricesIncludeTax);
        const result = await addOrderRefund(db, store.id, orderExternalId, refund, { now: now() });
        // The order is not stored yet (its orders/create is still on its way): retry later.
        if (result === null) throw new Error(`refund ${refund.id}: order ${orderExternalId} is not known yet`);
        return;
      }
      case "app/uninstalled": {
        // Arrives more than once, and after the token is already revoked: delete and mark, both idempotent.
        await db.session.deleteMany({ where: { shop } });
        const store = await findStoreByDomain(db, "shopify", shop);
        if (store && store.status !== "uninstalled")
          await setStoreStatus(db, store.id, "uninstalled", triggeredAt(delivery, now()));
        return;
      }
      case "app/scopes_update": {
        const { current } = ScopesUpdateSchema.parse(parseJsonKeepingBigInts(body));
        await db.session.updateMany({ where: { shop, isOnline: false }, data: { scope: current.join(",") } });
        return;
      }
      case "customers/data_request":
        return handleCustomersDataRequest(db, shop, { ...delivery, body }, log);
      case "customers/redact":
        return handleCustomersRedact(db, shop, { ...delivery, body }, log);
      case "shop/redact":
        return handleShopRedact(db, shop, { ...delivery, body }, log);
      default:
        // A topic subscribed by mistake is acknowledged and ignored rather than retried for days.
        log(`shopify delivery ${delivery.id}: topic ${delivery.topic} is not handled`);
    }
  }

  // A batch (one store, or deliveries of shops not installed yet, in arrival order) per shop: its order
  // snapshots through ingestOrders together, everything else one by one in its place.
  async function handleBatch(deliveries: readonly Delivery[]): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = new Array(deliveries.length).fill(null);
    const byShop = new Map<string, number[]>();
    deliveries.forEach((d, i) => {
      const shop = d.headers["x-shopify-shop-domain"]?.trim().toLowerCase() ?? "";
      const at = byShop.get(shop);
      if (at) at.push(i);
      else byShop.set(shop, [i]);
    });
    for (const [shop, indexes] of byShop) {
      const group = indexes.map((i) => deliveries[i]!);
      const results = await processDeliveryBatch(
        group,
        (d): DeliveryWork => {
          shopOf(d);
          return ORDER_TOPICS.has(d.topic) ? { order: orderOf(d) } : { run: () => handleShopifyDelivery(d) };
        },
        async (orders) => {
          const store = await requireStore(db, shop);
          return ingestOrderBatch(db, store.id, orders, now());
        },
      );
      indexes.forEach((i, k) => {
        outcomes[i] = results[k] ?? null;
      });
    }
    return outcomes;
  }

  return Object.assign(handleShopifyDelivery, { batch: handleBatch });
}

export function createShopifyInboxWorker(db: Db, options: ShopifyDeliveryOptions = {}): InboxWorker {
  return createInboxWorker({
    db,
    handlers: { shopify: createShopifyDeliveryHandler(db, options) },
    ...(options.now ? { now: options.now } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}
