import type { Db } from "../db/client.ts";

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
