import { z } from "zod";
import type { Db } from "../../core/src/db/client.ts";
import {
  createInboxWorker,
  type Delivery,
  type DeliveryHandler,
  type InboxWorker,
} from "../../core/src/inbox/inbox.ts";
import { addOrderRefund } from "../../core/src/orders/add-refund.ts";
import { ingestOrder } from "../../core/src/orders/ingest-order.ts";
import { findStoreByDomain, type Store, setStoreStatus } from "../../core/src/stores/store.ts";
import { handleCustomersDataRequest, handleCustomersRedact, handleShopRedact } from "./compliance.server.ts";
import { normalizeShopifyOrder, normalizeShopifyRefund } from "./normalize-order.server.ts";
import { parseJsonKeepingBigInts } from "./shopify-json.server.ts";

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

export function createShopifyDeliveryHandler(db: Db, options: ShopifyDeliveryOptions = {}): DeliveryHandler {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((m: string) => console.info(m));

  return async function handleShopifyDelivery(delivery: Delivery): Promise<void> {
    const shop = shopOf(delivery);
    const body = decoder.decode(delivery.body);
    switch (delivery.topic) {
      case "orders/create":
      case "orders/paid":
      case "orders/updated":
      case "orders/cancelled": {
        const order = normalizeShopifyOrder(body);
        const store = await requireStore(db, shop);
        await ingestOrder(db, store.id, order, { now: now() });
        return;
      }
      case "refunds/create": {
        const store = await requireStore(db, shop);
        const { orderExternalId, refund } = normalizeShopifyRefund(body, store.currency);
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
  };
}

export function createShopifyInboxWorker(db: Db, options: ShopifyDeliveryOptions = {}): InboxWorker {
  return createInboxWorker({
    db,
    handlers: { shopify: createShopifyDeliveryHandler(db, options) },
    ...(options.now ? { now: options.now } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}
