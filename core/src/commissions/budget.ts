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

export const LEDGER_ENTRY_KINDS = ["reserve", "release", "return", "adjust"] as const;

// reserve, release and return are magnitudes; adjust is signed (positive uses budget, negative frees it).
export const LedgerEntrySchema = z
  .object({
    kind: z.enum(LEDGER_ENTRY_KINDS),
    amount: z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
  })
  .strict()
  .refine((e) => e.kind === "adjust" || e.amount >= 0, {
    message: "only adjust entries may be negative",
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
  const sum = { reserve: 0, release: 0, return: 0, adjust: 0 };
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
