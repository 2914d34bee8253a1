// Commissions are born here: attribution (conversions/conversion-store.ts) decides who earned a conversion,
// and the ledger reserves campaign budget for each commission and writes the commission, its budget entry
// and Campaign.budgetUsed together, in the caller's transaction.

import { budgetReservation, type CommissionStatus } from "../commissions/index.ts";
import type { Db } from "../db/client.ts";
import { insertRows } from "../db/insert-rows.ts";
import { lockRows, type Tx } from "../db/lock-rows.ts";
import { mailNewCommissions } from "../mail/commission-mails.ts";
import { toSafeNumber } from "../shared/db-errors.ts";
import { newId } from "../shared/ids.ts";

/** A campaign's budget while a batch reserves from it: `added` is what this batch has reserved so far. */
export interface OpenBudget {
  cap: number | null;
  used: number;
  currency: string;
  added: number;
}

/**
 * Locks the campaigns' rows and reads their budgets. Touching each campaign row before reading it holds
 * its lock until commit on PostgreSQL, so concurrent batches reserve budget one after the other and never
 * see a stale budgetUsed. Rows are locked in id order so that two batches over the same campaigns cannot
 * deadlock.
 */
export async function openBudgets(
  tx: Tx,
  db: Db,
  storeId: string,
  campaignIds: readonly string[],
): Promise<Map<string, OpenBudget>> {
  const budgets = new Map<string, OpenBudget>();
  if (campaignIds.length === 0) return budgets;
  await lockRows(tx, db, "Campaign", storeId, campaignIds);
  for (const r of await tx.campaign.findMany({
    where: { storeId, id: { in: [...campaignIds] } },
    select: { id: true, budgetCap: true, budgetUsed: true, currency: true },
  })) {
    budgets.set(r.id, {
      cap: r.budgetCap === null ? null : toSafeNumber(r.budgetCap),
      used: toSafeNumber(r.budgetUsed),
      currency: r.currency,
      added: 0,
    });
  }
  return budgets;
}

/** Reserves budget for a commission that passed the rules, or says why it is over budget. */
export function reserveBudget(
  budget: OpenBudget,
  currency: string,
  amount: number,
): { status: Extract<CommissionStatus, "pending" | "over_budget">; reason: string | null; reserved: number } {
  if (budget.cap !== null && currency !== budget.currency) {
    return {
      status: "over_budget",
      reason: `order currency ${currency} differs from the budget currency ${budget.currency}`,
      reserved: 0,
    };
  }
  // An uncapped campaign pays it, but its budget counts only its own currency: never add currencies.
  if (currency !== budget.currency) return { status: "pending", reason: null, reserved: 0 };
  const decision = budgetReservation(budget.cap, budget.used + budget.added, amount);
  if (decision.overBudget) return { status: "over_budget", reason: "campaign budget cap reached", reserved: 0 };
  budget.added += decision.reserve;
  return { status: "pending", reason: null, reserved: decision.reserve };
}

export interface NewCommission {
  id: string;
  storeId: string;
  conversionId: string;
  campaignId: string;
  creatorId: string;
  goal: string;
  status: CommissionStatus;
  amount: number;
  original: number;
  reserved: number;
  currency: string;
  base: string;
  rule: string | null;
  reason: string | null;
  holdUntil: Date;
  /** The campaign tier it was computed at (0: none). */
  tier: number;
  /** The creator's credited share of the base, their sales towards tiers and bonuses. */
  credit: number;
  /** JSON [{lineId, amount}]: its original over the order's lines, [] when no product rate applied. */
  lines: string;
}

/** Writes new commissions, a reserve entry for each that holds budget, and what the batch added to each campaign. */
export async function recordCommissions(
  tx: Tx,
  storeId: string,
  commissions: readonly NewCommission[],
  budgets: ReadonlyMap<string, OpenBudget>,
  now: Date,
): Promise<void> {
  await insertRows(
    tx,
    "Commission",
    commissions.map((c) => ({ ...c, createdAt: now, updatedAt: now })),
  );
  await insertRows(
    tx,
    "BudgetEntry",
    commissions
      .filter((c) => c.reserved > 0)
      .map((c) => ({
        id: newId("bl"),
        storeId,
        campaignId: c.campaignId,
        commissionId: c.id,
        kind: "reserve",
        amount: c.reserved,
        createdAt: now,
      })),
  );
  for (const [id, b] of budgets) {
    if (b.added > 0) await tx.campaign.update({ where: { id }, data: { budgetUsed: { increment: b.added } } });
  }
  // The creators hear of what they earned from the same transaction (the mail outbox).
  await mailNewCommissions(tx, storeId, commissions, now);
}

/**
 * Re-attribution (a new touch set while every commission is still pending): the conversions' commissions
 * give back what they reserved and are deleted, so attribution can record them afresh.
 */
export async function releaseForReattribution(
  tx: Tx,
  storeId: string,
  commissions: readonly { id: string; conversionId: string; campaignId: string; reserved: bigint | number }[],
): Promise<void> {
  for (const c of commissions) {
    const held = toSafeNumber(c.reserved);
    if (held === 0) continue;
    await tx.campaign.update({ where: { id: c.campaignId }, data: { budgetUsed: { decrement: held } } });
    await tx.budgetEntry.create({
      data: { id: newId("bl"), storeId, campaignId: c.campaignId, commissionId: c.id, kind: "release", amount: held },
    });
  }
  if (commissions.length > 0) {
    const ids = [...new Set(commissions.map((c) => c.conversionId))];
    await tx.commission.deleteMany({ where: { storeId, conversionId: { in: ids } } });
  }
}
