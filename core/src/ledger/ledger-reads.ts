import type { Tx } from "../db/lock-rows.ts";
import { inChunks } from "../db/sql.ts";
import { toSafeNumber } from "../shared/db-errors.ts";

/** Each campaign's currency: the only currency its budget counts. */
export async function campaignCurrencies(tx: Tx, storeId: string, campaignIds: readonly string[]) {
  const ids = [...new Set(campaignIds)];
  if (ids.length === 0) return new Map<string, string>();
  const rows = await tx.campaign.findMany({
    where: { storeId, id: { in: ids } },
    select: { id: true, currency: true },
  });
  return new Map(rows.map((r) => [r.id, r.currency]));
}

/** The sum of each commission's adjustments (clawbacks and top-ups after payment). */
export async function adjustmentSums(tx: Tx, storeId: string, commissionIds: readonly string[]) {
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
