import type { Tx } from "../db/lock-rows.ts";

/**
 * A store's erasure (privacy/store-data.ts) removes its ledger with everything else, in the caller's
 * transaction and at its place in the children-before-parents order.
 */
export async function eraseStoreLedger(tx: Tx, storeId: string) {
  const where = { storeId };
  return {
    commissionAdjustments: (await tx.commissionAdjustment.deleteMany({ where })).count,
    commissions: (await tx.commission.deleteMany({ where })).count,
    budgetEntries: (await tx.budgetEntry.deleteMany({ where })).count,
  };
}
