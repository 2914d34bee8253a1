import type { Db } from "../db/client.ts";
import { shopDeliveriesWhere } from "../inbox/stored-deliveries.ts";
import { eraseStoreLedger } from "../ledger/index.ts";
import { eraseStoreMailSettings, eraseStoreMails } from "../mail/index.ts";

// Deletes everything held for a store (Shopify's shop/redact, 48 hours after uninstall): every row of every
// table that carries its id, its platform sessions, and the store itself.

export interface StoreDeletionOptions {
  /**
   * Platform sessions, and deliveries that arrived before the store existed, are keyed by shop domain, not
   * store id; defaults to a Shopify store's domain.
   */
  shop?: string;
  /** Inbox rows to keep, e.g. the shop/redact delivery being processed (it holds no personal data). */
  keepInboxIds?: string[];
}

export type StoreDeletionResult = Record<
  | "adminSessions"
  | "signInTokens"
  | "ownerAccounts"
  | "clickRollupDays"
  | "clickRollups"
  | "conversionRollupDays"
  | "conversionRollups"
  | "conversionRollupStale"
  | "payoutItems"
  | "payouts"
  | "payoutRuns"
  | "creatorMails"
  | "creatorMailSettings"
  | "creatorPayoutAccounts"
  | "storePayoutSettings"
  | "commissionAdjustments"
  | "commissions"
  | "budgetEntries"
  | "attributions"
  | "conversions"
  | "orders"
  | "events"
  | "visitors"
  | "clicks"
  | "discountCodes"
  | "trackingLinks"
  | "campaigns"
  | "creators"
  | "apiKeys"
  | "idempotencyKeys"
  | "dataRequests"
  | "webhookInbox"
  | "sessions"
  | "stores",
  number
>;

export async function deleteStoreData(
  db: Db,
  storeId: string,
  options: StoreDeletionOptions = {},
): Promise<StoreDeletionResult> {
  const store = await db.store.findUnique({ where: { id: storeId }, select: { domain: true, platform: true } });
  const shop = options.shop ?? (store?.platform === "shopify" ? store.domain : null);
  const inbox = shop ? shopDeliveriesWhere({ storeId, shopDomain: shop }) : { storeId };
  const keep = options.keepInboxIds ?? [];
  return db.$transaction(
    async (tx) => {
      const where = { storeId };
      // Children before parents, though only the store's own relations have foreign keys.
      const result: StoreDeletionResult = {
        // Owner accounts hold the merchant's email: a deleted store keeps no way to sign in or be reached.
        adminSessions: (await tx.adminSession.deleteMany({ where })).count,
        signInTokens: (await tx.signInToken.deleteMany({ where })).count,
        ownerAccounts: (await tx.ownerAccount.deleteMany({ where })).count,
        clickRollupDays: (await tx.clickRollupDay.deleteMany({ where })).count,
        clickRollups: (await tx.clickRollup.deleteMany({ where })).count,
        conversionRollupDays: (await tx.conversionRollupDay.deleteMany({ where })).count,
        conversionRollups: (await tx.conversionRollup.deleteMany({ where })).count,
        conversionRollupStale: (await tx.conversionRollupStale.deleteMany({ where })).count,
        payoutItems: (await tx.payoutItem.deleteMany({ where })).count,
        payouts: (await tx.payout.deleteMany({ where })).count,
        payoutRuns: (await tx.payoutRun.deleteMany({ where })).count,
        creatorMails: await eraseStoreMails(tx, storeId),
        creatorMailSettings: await eraseStoreMailSettings(tx, storeId),
        creatorPayoutAccounts: (await tx.creatorPayoutAccount.deleteMany({ where })).count,
        storePayoutSettings: (await tx.storePayoutSettings.deleteMany({ where })).count,
        ...(await eraseStoreLedger(tx, storeId)),
        attributions: (await tx.attribution.deleteMany({ where })).count,
        conversions: (await tx.conversion.deleteMany({ where })).count,
        orders: (await tx.order.deleteMany({ where })).count,
        events: (await tx.event.deleteMany({ where })).count,
        visitors: (await tx.visitor.deleteMany({ where })).count,
        clicks: (await tx.click.deleteMany({ where })).count,
        discountCodes: (await tx.discountCode.deleteMany({ where })).count,
        trackingLinks: (await tx.trackingLink.deleteMany({ where })).count,
        campaigns: (await tx.campaign.deleteMany({ where })).count,
        creators: (await tx.creator.deleteMany({ where })).count,
        apiKeys: (await tx.apiKey.deleteMany({ where })).count,
        idempotencyKeys: (await tx.idempotencyKey.deleteMany({ where })).count,
        dataRequests: (await tx.dataRequest.deleteMany({ where })).count,
        webhookInbox: (await tx.webhookInbox.deleteMany({ where: { AND: [inbox, { id: { notIn: keep } }] } })).count,
        sessions: shop ? (await tx.session.deleteMany({ where: { shop } })).count : 0,
        stores: (await tx.store.deleteMany({ where: { id: storeId } })).count,
      };
      return result;
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}
