import type { Tx } from "../db/lock-rows.ts";
import { inChunks } from "../db/sql.ts";
import { toSafeNumber } from "../shared/db-errors.ts";

/**
 * What settling a change to these commissions reads besides the rows: each one's adjustments so far (what
 * was clawed back or topped up after payment) and its campaign's currency (only that currency counts
 * against the budget).
 */
export async function commissionLedgerReads(
  tx: Tx,
  storeId: string,
  commissions: readonly { id: string; campaignId: string }[],
) {
  const adjusted = await adjustmentSums(
    tx,
    storeId,
    commissions.map((c) => c.id),
  );
  const campaignCurrency = await campaignCurrencies(
    tx,
    storeId,
    commissions.map((c) => c.campaignId),
  );
  return { adjusted, campaignCurrency };
}

/** Each campaign's currency: the only currency its budget counts. */
async function campaignCurrencies(tx: Tx, storeId: string, campaignIds: readonly string[]) {
  const ids = [...new Set(campaignIds)];
  if (ids.length === 0) return new Map<string, string>();
  const rows = await tx.campaign.findMany({
    where: { storeId, id: { in: ids } },
    select: { id: true, currency: true },
  });
  return new Map(rows.map((r) => [r.id, r.currency]));
}

/** The sum of each commission's adjustments (clawbacks and top-ups after payment). */
async function adjustmentSums(tx: Tx, storeId: string, commissionIds: readonly string[]) {
  // In slices: a batch's commissions (several creators per order) can be more than one statement may bind.
  const sums = await inChunks(commissionIds, (ids) =>
    tx.commissionAdjustment.groupBy({
      by: ["commissionId"],
      where: { storeId, commissionId: { in: ids } },
      _sum: { amount: true },
    }),
  );
  return new Map(sums.map((s) => [s.commissionId, toSafeNumber(s._sum.amount ?? 0n)]));
}
