// A draft payout claims what it pays (Commission.payoutId / CommissionAdjustment.payoutId, while the
// commission stays approved), so nothing is ever in two payouts; cancelling gives the claims back.

import type { Tx } from "../db/lock-rows.ts";
import { inChunks } from "../db/sql.ts";
import { AppError } from "../shared/errors.ts";

/**
 * Claims the commissions (still approved and unclaimed) and adjustments (unsettled) for a payout, in slices
 * (a creator can have thousands of commissions in one payout), all in the caller's transaction. Throws a
 * conflict when another run claimed any of them first.
 */
export async function claimForPayout(
  tx: Tx,
  storeId: string,
  payoutId: string,
  commissionIds: readonly string[],
  adjustmentIds: readonly string[],
): Promise<void> {
  const claimedCommissions = await inChunks(commissionIds, async (ids) => [
    (
      await tx.commission.updateMany({
        where: { storeId, id: { in: ids }, status: "approved", payoutId: null },
        data: { payoutId },
      })
    ).count,
  ]);
  if (sumOf(claimedCommissions) !== commissionIds.length)
    throw new AppError("conflict", "commissions were claimed by another run");
  const claimedAdjustments = await inChunks(adjustmentIds, async (ids) => [
    (
      await tx.commissionAdjustment.updateMany({
        where: { storeId, id: { in: ids }, payoutId: null },
        data: { payoutId },
      })
    ).count,
  ]);
  if (sumOf(claimedAdjustments) !== adjustmentIds.length)
    throw new AppError("conflict", "adjustments were claimed by another run");
}

/** A payout that will not be paid gives back its unpaid commissions and its adjustments. */
export async function releasePayoutClaims(tx: Tx, storeId: string, payoutId: string): Promise<void> {
  await tx.commission.updateMany({ where: { storeId, payoutId, status: { not: "paid" } }, data: { payoutId: null } });
  await tx.commissionAdjustment.updateMany({ where: { storeId, payoutId }, data: { payoutId: null } });
}

/** One commission leaves a payout before it is sent (no longer approved, or worth nothing now). */
export async function releaseCommissionClaim(tx: Tx, commissionId: string): Promise<void> {
  await tx.commission.update({ where: { id: commissionId }, data: { payoutId: null } });
}

function sumOf(counts: readonly number[]): number {
  return counts.reduce((n, c) => n + c, 0);
}
