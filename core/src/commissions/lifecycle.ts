import { z } from "zod";
import { lineCommissionsAfterRefunds, type RefundedLine } from "./line-commissions.ts";
import { mulDivRoundHalfUp } from "./mul-div.ts";

export const COMMISSION_STATUSES = ["pending", "approved", "paid", "reversed", "rejected", "over_budget"] as const;
export const CommissionStatusSchema = z.enum(COMMISSION_STATUSES);
export type CommissionStatus = z.infer<typeof CommissionStatusSchema>;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CommissionState {
  status: CommissionStatus;
  /** What the commission is worth now, minor units. */
  amount: number;
  /** The commission computed on the full order, before any refund. */
  original: number;
  /** Amount actually paid out, 0 if not paid. */
  paidAmount: number;
  /** Sum of adjustments already recorded against a paid commission (clawbacks negative). */
  adjustments: number;
  holdUntil: Date;
  /** The original over the order's lines, when product rates applied line by line (line-commissions.ts). */
  lines?: readonly { lineId: string; amount: number }[];
}

export interface OrderSnapshot {
  status: "pending" | "confirmed" | "reversed";
  total: number;
  /** Sum of refunds by distinct id; clamped to [0, total]. */
  refunded: number;
  /** The order's lines, when it has them: a refund that names lines takes back exactly their commission. */
  lines?: readonly { id: string; amount: number; quantity: number }[];
  /** What refunds naming lines took back of each. */
  refundLines?: readonly RefundedLine[];
}

export interface ReconcileInput {
  existing: CommissionState;
  order: OrderSnapshot;
  now: Date;
}

export interface ReconcileResult {
  status: CommissionStatus;
  amount: number;
  /** Adjustment to record for the next payout: negative is a clawback, 0 when nothing is owed either way. */
  newAdjustment: number;
  changed: boolean;
}

/** Commissions are held for `holdingDays` whole 24-hour days after the conversion before approval. */
export function holdUntil(conversionAt: Date, holdingDays: number): Date {
  if (!Number.isInteger(holdingDays) || holdingDays < 0) {
    throw new RangeError(`holdingDays must be a non-negative integer, got ${holdingDays}`);
  }
  return new Date(conversionAt.getTime() + holdingDays * DAY_MS);
}

/** The order was undone entirely: reversed, or refunded down to nothing. */
export function isOrderVoid(order: OrderSnapshot): boolean {
  return order.status === "reversed" || (order.total > 0 && order.refunded >= order.total);
}

/**
 * What the commission is worth for this order snapshot: original × (total − refunded) / total, rounded
 * half up (a half unit goes to the creator), 0 when the order is reversed or fully refunded. An order
 * with total 0 has nothing to refund, so its commission (a flat fee, say) is due in full unless reversed.
 */
export function dueAmount(
  original: number,
  order: OrderSnapshot,
  lines?: readonly { lineId: string; amount: number }[],
): number {
  if (isOrderVoid(order)) return 0;
  if (lines?.length && order.lines?.length && lines.reduce((sum, l) => sum + l.amount, 0) === original)
    return dueByLines(lines, order);
  if (order.total <= 0) return original;
  const refunded = Math.min(Math.max(order.refunded, 0), order.total);
  return mulDivRoundHalfUp(original, order.total - refunded, order.total);
}

/**
 * A commission split over the order's lines: refunds that name lines take back exactly those lines' part;
 * what the other refunds took back (an amount, not items) comes off the rest in proportion, as dueAmount does.
 */
function dueByLines(lines: readonly { lineId: string; amount: number }[], order: OrderSnapshot): number {
  const refundLines = order.refundLines ?? [];
  const byLines = lineCommissionsAfterRefunds(lines, order.lines ?? [], refundLines).reduce((s, l) => s + l.amount, 0);
  const namedBack = refundLines.reduce((sum, l) => sum + l.amount, 0);
  const refunded = Math.min(Math.max(order.refunded, 0), order.total);
  const rest = Math.max(0, order.total - Math.min(namedBack, refunded));
  const unnamed = Math.max(0, refunded - namedBack);
  if (unnamed === 0 || rest === 0) return byLines;
  return mulDivRoundHalfUp(byLines, Math.max(0, rest - unnamed), rest);
}

/**
 * Brings a commission in line with the newest order snapshot. The result depends only on the snapshot,
 * `now` and the commission's payout state, never on the order events took, so replays, duplicates and
 * out-of-order webhooks converge:
 * - rejected and over_budget are terminal and never change;
 * - paid stays paid; its amount becomes what is due and newAdjustment = due − (paidAmount + adjustments),
 *   so that once recorded, paid + adjustments equals what is due. That is a negative clawback after a
 *   refund or reversal, and positive (a re-credit) only when an order reversed after payout comes back;
 * - otherwise the status follows the snapshot: reversed (amount 0) when the order is reversed or fully
 *   refunded; approved when it is confirmed and the hold has passed, or at once when nothing is due (a
 *   commission of 0.00 has nothing to hold back, and would otherwise wait forever); pending otherwise.
 *   So a partial refund lowers the amount in place, a reversed commission whose order is restored
 *   comes back (to approved directly if the hold has already passed, so that a second call with the same
 *   inputs is a no-op), and an approved one whose order drops back to pending waits again.
 *
 * Callers store the result with applyReconciliation before the next call; reconciling twice against
 * the same stale state would record the same adjustment twice.
 */
export function reconcileCommission(input: ReconcileInput): ReconcileResult {
  const { existing, order, now } = input;
  if (existing.status === "rejected" || existing.status === "over_budget") {
    return { status: existing.status, amount: existing.amount, newAdjustment: 0, changed: false };
  }
  const due = dueAmount(existing.original, order, existing.lines);
  if (existing.status === "paid") {
    const newAdjustment = due - (existing.paidAmount + existing.adjustments);
    return { status: "paid", amount: due, newAdjustment, changed: newAdjustment !== 0 || due !== existing.amount };
  }
  const status: CommissionStatus = isOrderVoid(order)
    ? "reversed"
    : order.status === "confirmed" && (due === 0 || now.getTime() >= existing.holdUntil.getTime())
      ? "approved"
      : "pending";
  return { status, amount: due, newAdjustment: 0, changed: status !== existing.status || due !== existing.amount };
}

/** The commission state after storing a reconciliation result. */
export function applyReconciliation(existing: CommissionState, result: ReconcileResult): CommissionState {
  return {
    ...existing,
    status: result.status,
    amount: result.amount,
    adjustments: existing.adjustments + result.newAdjustment,
  };
}

/**
 * For the scheduled sweep that approves commissions whose hold has passed: reconciles each item against
 * its stored order snapshot and returns only those that changed.
 */
export function approveDue<T extends Omit<ReconcileInput, "now">>(
  items: readonly T[],
  now: Date,
): { item: T; result: ReconcileResult }[] {
  const changed: { item: T; result: ReconcileResult }[] = [];
  for (const item of items) {
    const result = reconcileCommission({ existing: item.existing, order: item.order, now });
    if (result.changed) changed.push({ item, result });
  }
  return changed;
}
