// A commission brought in line with its order (a refund, a cancellation, an approval after the hold):
// its new state, the budget it moves and, once paid, the clawback or top-up as an adjustment.

import {
  applyReconciliation,
  type CommissionState,
  ledgerEntriesForChange,
  ledgerTransfers,
  type ReconcileResult,
} from "../commissions/index.ts";
import type { Tx } from "../db/lock-rows.ts";
import { mailCommissionChange } from "../mail/commission-mails.ts";
import { toSafeNumber } from "../shared/db-errors.ts";
import { newId } from "../shared/ids.ts";

export interface CommissionRow {
  id: string;
  campaignId: string;
  creatorId: string;
  status: string;
  currency: string;
  reserved: bigint | number;
  approvedAt: Date | null;
  reversedAt: Date | null;
}

/**
 * Records one reconciliation in the caller's transaction: `existing` is the commission's state before
 * `result` (commissions/lifecycle.ts reconcileCommission) is applied. `inBudget` is false when the commission's currency is not
 * its campaign's (its budget never moves then).
 */
export async function applyCommissionChange(
  tx: Tx,
  storeId: string,
  row: CommissionRow,
  existing: CommissionState,
  result: ReconcileResult,
  inBudget: boolean,
  now: Date,
): Promise<void> {
  const after = applyReconciliation(existing, result);
  let reserved = toSafeNumber(row.reserved);
  for (const e of inBudget ? ledgerEntriesForChange(existing, after) : []) {
    const delta = e.kind === "adjust" ? e.amount : -e.amount;
    reserved += delta;
    await tx.campaign.update({ where: { id: row.campaignId }, data: { budgetUsed: { increment: delta } } });
    await tx.budgetEntry.create({
      data: {
        id: newId("bl"),
        storeId,
        campaignId: row.campaignId,
        commissionId: row.id,
        kind: e.kind,
        amount: e.amount,
      },
    });
  }
  // Budget-neutral moves between the ledger's reserved, released and paid buckets (an approval, say).
  for (const e of inBudget ? ledgerTransfers(existing, after) : []) {
    await tx.budgetEntry.create({
      data: {
        id: newId("bl"),
        storeId,
        campaignId: row.campaignId,
        commissionId: row.id,
        kind: e.kind,
        amount: e.amount,
      },
    });
  }
  if (result.newAdjustment !== 0) {
    await tx.commissionAdjustment.create({
      data: {
        id: newId("adj"),
        storeId,
        commissionId: row.id,
        creatorId: row.creatorId,
        amount: result.newAdjustment,
        currency: row.currency,
        reason: result.newAdjustment < 0 ? "order refunded or cancelled after payout" : "order restored after payout",
      },
    });
  }
  await tx.commission.update({
    where: { id: row.id },
    data: {
      status: result.status,
      amount: result.amount,
      reserved,
      approvedAt: result.status === "approved" && row.status !== "approved" ? now : row.approvedAt,
      reversedAt: result.status === "reversed" ? (row.status === "reversed" ? row.reversedAt : now) : null,
    },
  });
  await mailCommissionChange(tx, storeId, row, existing, { status: result.status, amount: result.amount }, now);
}
