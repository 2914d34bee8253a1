import type { Db } from "../db/client.ts";

// What the rest of core may do to stored deliveries (retry, redact, adopt, delete), so the inbox stays the only
// writer of its table besides a store's erasure.
//
// Shopify can deliver a shop's webhooks before its store exists here (orders racing the install), so such a
// delivery is held with no store id, under the shop's domain only. Whatever looks for a shop's deliveries -
// the compliance webhooks above all - looks by store id and by shop domain, with these.

/** Where a shop's deliveries are: the store's rows, and those that came before the store (or without it). */
export interface ShopScope {
  /** null when the shop has no store (never installed, or already deleted). */
  storeId: string | null;
  shopDomain: string;
}

/** The prisma filter for a shop's inbox rows. */
export function shopDeliveriesWhere(scope: ShopScope) {
  const shopDomain = scope.shopDomain.trim().toLowerCase();
  return scope.storeId === null ? { shopDomain } : { OR: [{ storeId: scope.storeId }, { shopDomain }] };
}

/**
 * Deletes every delivery held for the shop, its store's and those that have none (shop/redact), except the
 * ones to keep (the shop/redact delivery itself, which the worker marks done). Returns how many.
 */
export async function deleteShopDeliveries(db: Db, scope: ShopScope, keepInboxIds: readonly string[] = []) {
  const deleted = await db.webhookInbox.deleteMany({
    where: { AND: [shopDeliveriesWhere(scope), { id: { notIn: [...keepInboxIds] } }] },
  });
  return deleted.count;
}

/**
 * Gives the shop's store-less deliveries to its store once it exists (the install), and makes those given up
 * on while waiting for it due again: they were acknowledged to Shopify, so they are processed, not dropped.
 */
export async function adoptShopDeliveries(db: Db, scope: { storeId: string; shopDomain: string }, now = new Date()) {
  const where = { storeId: null, shopDomain: scope.shopDomain.trim().toLowerCase() };
  return db.$transaction(async (tx) => {
    const revived = await tx.webhookInbox.updateMany({
      where: { ...where, status: { in: ["failed", "dead"] } },
      data: { status: "pending", attempts: 0, nextAttemptAt: now },
    });
    const adopted = await tx.webhookInbox.updateMany({ where, data: { storeId: scope.storeId } });
    return { adopted: adopted.count, revived: revived.count };
  });
}

/**
 * Puts the store's failed and given-up deliveries back in the queue for the worker to try now; a delivery
 * that had given up starts its retries afresh. Returns how many were queued.
 */
export async function retryFailedDeliveries(db: Db, storeId: string, now = new Date()): Promise<number> {
  const failed = await db.webhookInbox.updateMany({
    where: { storeId, status: "failed" },
    data: { nextAttemptAt: now },
  });
  const dead = await db.webhookInbox.updateMany({
    where: { storeId, status: "dead" },
    data: { status: "failed", attempts: 0, nextAttemptAt: now },
  });
  return failed.count + dead.count;
}

/**
 * Webhook deliveries keep the platform's payload verbatim, and an order payload is full of personal data. This
 * empties the bodies of the given deliveries of the shop (its store's, and those held before the store
 * existed); one not processed yet is closed as done, since the data it carried is the data being erased.
 */
export async function redactInboxDeliveries(
  db: Db,
  scope: ShopScope | { storeId: string },
  inboxIds: readonly string[],
): Promise<number> {
  if (inboxIds.length === 0) return 0;
  const owner = "shopDomain" in scope ? shopDeliveriesWhere(scope) : { storeId: scope.storeId };
  let emptied = 0;
  // In slices: a customer with many orders must not build a statement past the database's parameter limit.
  for (let i = 0; i < inboxIds.length; i += 500) {
    const ids = inboxIds.slice(i, i + 500);
    emptied += await db.$transaction(async (tx) => {
      await tx.webhookInbox.updateMany({
        where: { AND: [owner, { id: { in: ids }, status: { in: ["pending", "failed"] } }] },
        data: { status: "done", processedAt: new Date(), lastError: "redacted before processing" },
      });
      const result = await tx.webhookInbox.updateMany({
        where: { AND: [owner, { id: { in: ids } }] },
        data: { body: new Uint8Array(0) },
      });
      return result.count;
    });
  }
  return emptied;
}
