import { z } from "zod";
import type { CommissionStatus } from "./lifecycle.ts";

/**
 * All or nothing: a commission that does not fit entirely under the cap is over_budget and reserves
 * nothing. Funding part of it would pay a creator less than the rule promised with no record of why;
 * over_budget is explicit and the merchant can raise the cap and re-review. A null cap is unlimited and
 * a zero commission always fits.
 */
export function budgetReservation(
  cap: number | null,
  used: number,
  amount: number,
): { reserve: number; overBudget: boolean } {
  if (!Number.isSafeInteger(amount) || amount < 0)
    throw new RangeError(`amount must be non-negative minor units, got ${amount}`);
  if (cap === null || amount === 0 || amount <= cap - used) return { reserve: amount, overBudget: false };
  return { reserve: 0, overBudget: true };
}

export const LEDGER_ENTRY_KINDS = ["reserve", "release", "return", "adjust", "approve", "pay"] as const;

// reserve, release and return are magnitudes; adjust is signed (positive uses budget, negative frees it).
// approve and pay are signed transfers between buckets of budget already in use (see budgetBreakdown):
// approve moves budget from reserved (pending commissions) to released (approved), pay from released to
// paid. They never change how much budget is used.
export const LedgerEntrySchema = z
  .object({
    kind: z.enum(LEDGER_ENTRY_KINDS),
    amount: z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
  })
  .strict()
  .refine((e) => e.kind === "adjust" || e.kind === "approve" || e.kind === "pay" || e.amount >= 0, {
    message: "only adjust, approve and pay entries may be negative",
    path: ["amount"],
  });
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;
export type LedgerEntryKind = LedgerEntry["kind"];

export interface LedgerSummary {
  /** Reserved when commissions were created. */
  reserved: number;
  /** Freed when an unpaid commission was reduced or reversed. */
  released: number;
  /** Freed when a paid commission was clawed back. */
  returned: number;
  /** Sum of signed adjustments. */
  adjusted: number;
  /** Budget in use: reserved − released − returned + adjusted; what Campaign.budgetUsed should equal. */
  net: number;
}

export function summarizeLedger(entries: readonly Pick<LedgerEntry, "kind" | "amount">[]): LedgerSummary {
  const sum: Record<LedgerEntryKind, number> = { reserve: 0, release: 0, return: 0, adjust: 0, approve: 0, pay: 0 };
  for (const entry of entries) sum[entry.kind] += entry.amount;
  return {
    reserved: sum.reserve,
    released: sum.release,
    returned: sum.return,
    adjusted: sum.adjust,
    net: sum.reserve - sum.release - sum.return + sum.adjust,
  };
}

/**
 * What a commission holds against its campaign's budget: its amount, except rejected and over_budget
 * commissions, which never reserved anything. For a paid commission the amount is paid + adjustments.
 */
export function budgetHeld(commission: { status: CommissionStatus; amount: number }): number {
  return commission.status === "rejected" || commission.status === "over_budget" ? 0 : commission.amount;
}

/**
 * The ledger entries that keep the budget equal to the sum of budgetHeld over a campaign's commissions
 * when one commission changes (first reservation aside, which budgetReservation decides). A decrease is
 * a release, or a return when the commission was already paid; an increase (an order restored after a
 * reversal) is a positive adjust, recorded without a cap check because the budget was committed to this
 * commission before.
 */
export function ledgerEntriesForChange(
  before: { status: CommissionStatus; amount: number },
  after: { status: CommissionStatus; amount: number },
): LedgerEntry[] {
  const delta = budgetHeld(after) - budgetHeld(before);
  if (delta === 0) return [];
  if (delta > 0) return [{ kind: "adjust", amount: delta }];
  return [{ kind: before.status === "paid" ? "return" : "release", amount: -delta }];
}

type Bucket = "reserved" | "released" | "paid";

function bucketOf(status: CommissionStatus): Bucket | null {
  if (status === "pending") return "reserved";
  if (status === "approved") return "released";
  if (status === "paid") return "paid";
  return null;
}

/**
 * The budget-neutral transfers that keep the ledger's buckets (budgetBreakdown) equal to what pending,
 * approved and paid commissions hold when one commission changes, to be recorded beside the entries of
 * ledgerEntriesForChange. Those entries work on fixed buckets: reserve, release and a positive adjust
 * change the reserved bucket, return changes the paid bucket; approve and pay then move the commission's
 * budget to the bucket of its new status. So approving a commission is an `approve` of its amount, paying
 * it a `pay`, and a clawback after payment a `return`.
 */
export function ledgerTransfers(
  before: { status: CommissionStatus; amount: number },
  after: { status: CommissionStatus; amount: number },
): LedgerEntry[] {
  const heldBefore = budgetHeld(before);
  const heldAfter = budgetHeld(after);
  const delta = heldAfter - heldBefore;
  const bucketBefore = bucketOf(before.status);
  const bucketAfter = bucketOf(after.status);
  const target = (bucket: Bucket) =>
    (bucketAfter === bucket ? heldAfter : 0) - (bucketBefore === bucket ? heldBefore : 0);
  // What ledgerEntriesForChange already did to the reserved and paid buckets.
  const reservedByChange = before.status === "paid" ? Math.max(delta, 0) : delta;
  const paidByChange = before.status === "paid" ? Math.min(delta, 0) : 0;
  const approve = reservedByChange - target("reserved");
  const pay = target("paid") - paidByChange;
  const entries: LedgerEntry[] = [];
  if (approve !== 0) entries.push({ kind: "approve", amount: approve });
  if (pay !== 0) entries.push({ kind: "pay", amount: pay });
  return entries;
}

export interface BudgetBreakdown {
  /** Held by pending commissions. */
  reserved: number;
  /** Released to approved commissions, waiting for a payout. */
  released: number;
  /** Held by paid commissions (what was paid, net of clawbacks and re-credits). */
  paid: number;
  /** reserved + released + paid: what Campaign.budgetUsed should equal. */
  used: number;
  /** cap − used; null for a campaign without a cap. */
  remaining: number | null;
}

/** A campaign's budget by bucket, from its ledger alone (entries in any order). */
export function budgetBreakdown(
  entries: readonly Pick<LedgerEntry, "kind" | "amount">[],
  cap: number | null,
): BudgetBreakdown {
  const sum: Record<LedgerEntryKind, number> = { reserve: 0, release: 0, return: 0, adjust: 0, approve: 0, pay: 0 };
  for (const entry of entries) sum[entry.kind] += entry.amount;
  const reserved = sum.reserve + sum.adjust - sum.release - sum.approve;
  const released = sum.approve - sum.pay;
  const paid = sum.pay - sum.return;
  const used = reserved + released + paid;
  return { reserved, released, paid, used, remaining: cap === null ? null : cap - used };
}

/** The same breakdown computed from the commissions themselves: the check the ledger must pass. */
export function budgetBreakdownOfCommissions(
  commissions: readonly { status: CommissionStatus; amount: number }[],
  cap: number | null,
): BudgetBreakdown {
  let reserved = 0;
  let released = 0;
  let paid = 0;
  for (const c of commissions) {
    const bucket = bucketOf(c.status);
    const held = budgetHeld(c);
    if (bucket === "reserved") reserved += held;
    else if (bucket === "released") released += held;
    else if (bucket === "paid") paid += held;
  }
  const used = reserved + released + paid;
  return { reserved, released, paid, used, remaining: cap === null ? null : cap - used };
}
