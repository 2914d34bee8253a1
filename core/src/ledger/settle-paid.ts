import { budgetHeld, type CommissionStatus, ledgerEntriesForChange, ledgerTransfers } from "../commissions/index.ts";
import { Prisma } from "../db/generated/sqlite/index.js";
import type { Tx } from "../db/lock-rows.ts";
import { inChunks } from "../db/sql.ts";
import { mailPayoutPaid } from "../mail/commission-mails.ts";
import { toSafeNumber } from "../shared/db-errors.ts";
import { newId } from "../shared/ids.ts";
import { adjustmentSums, campaignCurrencies } from "./ledger-reads.ts";

/**
 * A payout is paid: each commission it claimed becomes paid with what this payout paid for it (`paidFor`,
 * its items' amounts); a commission that changed while the payout was in flight gets the difference as an
 * adjustment for the next payout, exactly as a refund after payment would. Returns the commissions'
 * conversion ids. Runs in the caller's transaction, after it has moved the payout to paid.
 */
export async function settlePaidCommissions(
  tx: Tx,
  storeId: string,
  payoutId: string,
  paidFor: ReadonlyMap<string, number>,
  now: Date,
): Promise<string[]> {
  const commissions = await inChunks([...paidFor.keys()], (ids) =>
    tx.commission.findMany({ where: { storeId, id: { in: ids } } }),
  );
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
  // Decided per commission in memory, written set-based: a payout of 5,000 commissions is a few statements
  // (in slices), not 5,000 round trips, all in the caller's transaction.
  const budgetEntries: { campaignId: string; commissionId: string; kind: string; amount: number }[] = [];
  const budgetDelta = new Map<string, number>();
  const reservedDelta = new Map<number, string[]>();
  const adjustments: { commissionId: string; creatorId: string; amount: number; currency: string }[] = [];
  for (const c of commissions) {
    const paidAmount = paidFor.get(c.id)!;
    const before = { status: c.status as CommissionStatus, amount: toSafeNumber(c.amount) };
    // A commission that is worth nothing now (reversed while in flight) is still paid: its amount is 0 and
    // the clawback below recovers what was sent.
    const after = { status: "paid" as const, amount: before.amount };
    // Budget is kept in the campaign's currency: a commission in another currency never moves it.
    const inBudget = c.currency === campaignCurrency.get(c.campaignId);
    const entries = inBudget ? [...ledgerEntriesForChange(before, after), ...ledgerTransfers(before, after)] : [];
    let reserved = 0;
    for (const e of entries) {
      if (e.kind !== "approve" && e.kind !== "pay") {
        const delta = e.kind === "adjust" ? e.amount : -e.amount;
        reserved += delta;
        budgetDelta.set(c.campaignId, (budgetDelta.get(c.campaignId) ?? 0) + delta);
      }
      budgetEntries.push({ campaignId: c.campaignId, commissionId: c.id, kind: e.kind, amount: e.amount });
    }
    if (reserved !== 0) {
      const group = reservedDelta.get(reserved) ?? [];
      group.push(c.id);
      reservedDelta.set(reserved, group);
    }
    const owed = budgetHeld(after) - (paidAmount + (adjusted.get(c.id) ?? 0));
    if (owed !== 0)
      adjustments.push({ commissionId: c.id, creatorId: c.creatorId, amount: owed, currency: c.currency });
  }
  for (const [campaignId, delta] of budgetDelta) {
    if (delta !== 0)
      await tx.campaign.update({ where: { id: campaignId }, data: { budgetUsed: { increment: delta } } });
  }
  await inChunks(budgetEntries, async (chunk) => [
    await tx.budgetEntry.createMany({
      data: chunk.map((e) => ({ id: newId("bl"), storeId, ...e })),
    }),
  ]);
  await inChunks(adjustments, async (chunk) => [
    await tx.commissionAdjustment.createMany({
      data: chunk.map((a) => ({
        id: newId("adj"),
        storeId,
        ...a,
        reason:
          a.amount < 0
            ? "commission reduced while its payout was processing"
            : "commission grew while its payout was processing",
        createdAt: now,
      })),
    }),
  ]);
  for (const [delta, ids] of reservedDelta) {
    await inChunks(ids, async (chunk) => [
      await tx.commission.updateMany({
        where: { storeId, id: { in: chunk } },
        data: { reserved: { increment: delta } },
      }),
    ]);
  }
  const ids = commissions.map((c) => c.id);
  await inChunks(ids, async (chunk) => [
    await tx.commission.updateMany({
      where: { storeId, id: { in: chunk } },
      data: { status: "paid", paidAt: now, payoutId },
    }),
  ]);
  // What this payout paid for each commission is its item's amount, copied in one statement.
  await tx.$executeRaw(Prisma.sql`
    UPDATE "Commission" SET "paidAmount" = (
      SELECT pi."amount" FROM "PayoutItem" pi
      WHERE pi."storeId" = "Commission"."storeId" AND pi."payoutId" = ${payoutId}
        AND pi."kind" = 'commission' AND pi."commissionId" = "Commission"."id"
    )
    WHERE "storeId" = ${storeId} AND "payoutId" = ${payoutId} AND "status" = 'paid'
      AND "id" IN (SELECT "commissionId" FROM "PayoutItem" WHERE "storeId" = ${storeId} AND "payoutId" = ${payoutId} AND "kind" = 'commission')`);
  await mailPayoutPaid(tx, storeId, payoutId, now);
  return commissions.map((c) => c.conversionId);
}
