import { formatMinorUnits } from "../shared/money.ts";

// One definition of every number the admin, the portal, the CLI report, the CSV export and the API show.
// Pure: plain rows in, figures out. The admin's daily rollup computes the same definitions in SQL
// (admin/conversion-rollup.ts); metrics.test.ts holds the two to each other.
//
// - A purchase counts once, when its order is not cancelled; an order refunded in full counts as refunded,
//   not as a purchase; a cancelled order counts as cancelled. Only attributed conversions count (a rejected
//   one, a test order say, shows as a rejected commission, never as a purchase).
// - Conversion rate is (purchases + sign-ups) / qualified clicks, with those counts.
// - Revenue is attributed credit net of refunds, rounded down per credit, 0 for a cancelled order, and
//   per currency: amounts in different currencies are never added.
// - A commission keeps its original amount (Commission.original, set once when it is computed).
//   "Reversed" is original minus current: a cancel or full refund reverses all of it, a partial refund part
//   of it, even while the rest is still pending, approved or paid. Rejected and over-budget commissions
//   count what they would have been.

export const OUTCOMES = ["purchase", "refunded", "cancelled"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface OrderFigures {
  /** pending | confirmed | reversed (cancelled) */
  status: string;
  total: number;
  refunded: number;
}

/** What became of an order: kept (a purchase, maybe partly refunded), refunded in full, or cancelled. */
export function orderOutcome(order: OrderFigures | null | undefined): Outcome {
  if (!order) return "purchase";
  if (order.status === "reversed") return "cancelled";
  if (order.total > 0 && order.refunded >= order.total) return "refunded";
  return "purchase";
}

export interface ConversionFigures {
  kind: string;
  /** new | attributed | unattributed | rejected */
  status: string;
}

/** How a conversion counts: a purchase, refunded, cancelled, a sign-up (sign-ups and leads), or not at all. */
export function conversionCount(
  conversion: ConversionFigures,
  order: OrderFigures | null | undefined,
): Outcome | "sign_up" | null {
  if (conversion.status !== "attributed") return null;
  if (conversion.kind === "purchase") return orderOutcome(order);
  if (conversion.kind === "sign_up" || conversion.kind === "lead") return "sign_up";
  return null;
}

/** A credit's revenue: its share of what the customer kept, rounded down; 0 for a cancelled order. */
export function netRevenue(credit: number, order: OrderFigures | null | undefined): number {
  if (!order) return credit;
  if (order.status === "reversed" || order.total <= 0) return 0;
  const kept = order.total - Math.min(Math.max(order.refunded, 0), order.total);
  // Exact in BigInt: credit × kept may pass 2^53.
  return Number((BigInt(credit) * BigInt(kept)) / BigInt(order.total));
}

export const COMMISSION_BUCKETS = ["pending", "approved", "paid", "reversed", "rejected", "over_budget"] as const;
export type CommissionBucket = (typeof COMMISSION_BUCKETS)[number];
export type CommissionTotals = Record<CommissionBucket, number>;

export function emptyCommissionTotals(): CommissionTotals {
  return { pending: 0, approved: 0, paid: 0, reversed: 0, rejected: 0, over_budget: 0 };
}

export interface CommissionFigures {
  status: string;
  /** What it is worth now. */
  amount: number;
  /** What it was computed at, before refunds; what it would have been when rejected. */
  original: number;
}

/** The part of a commission undone by refunds and cancels: original minus current, never negative. */
export function reversedAmount(c: CommissionFigures): number {
  if (c.status === "rejected" || c.status === "over_budget") return 0;
  return Math.max(0, c.original - c.amount);
}

/** What one commission adds to each bucket: its current amount to its status, and what was reversed. */
export function commissionContribution(c: CommissionFigures): CommissionTotals {
  const out = emptyCommissionTotals();
  if (c.status === "rejected" || c.status === "over_budget") out[c.status] = c.original;
  else {
    if (c.status === "pending" || c.status === "approved" || c.status === "paid") out[c.status] = c.amount;
    out.reversed = reversedAmount(c);
  }
  return out;
}

export function addCommissionTotals(into: CommissionTotals, add: CommissionTotals): CommissionTotals {
  for (const k of COMMISSION_BUCKETS) into[k] += add[k];
  return into;
}

/** Commissions the merchant owes or has paid: pending + approved + paid. */
export function spendOf(c: CommissionTotals): number {
  return c.pending + c.approved + c.paid;
}

/** (purchases + sign-ups) / qualified clicks; 0 without clicks. */
export function conversionRate(counts: { purchases: number; signUps: number; qualifiedClicks: number }): number {
  return counts.qualifiedClicks === 0 ? 0 : (counts.purchases + counts.signUps) / counts.qualifiedClicks;
}

/** Revenue per unit of spend in the same currency; null when nothing was spent. */
export function returnOnSpend(revenue: number, spend: number): number | null {
  return spend === 0 ? null : revenue / spend;
}

/** The money of one currency; never added to another's. */
export interface CurrencyFigures {
  currency: string;
  /** Attributed credit net of refunds, minor units. */
  revenue: number;
  commissions: CommissionTotals;
}

/** The figures of `currency` in the list, added at the end when missing. */
export function figuresIn(money: CurrencyFigures[], currency: string): CurrencyFigures {
  let figures = money.find((m) => m.currency === currency);
  if (!figures) {
    figures = { currency, revenue: 0, commissions: emptyCommissionTotals() };
    money.push(figures);
  }
  return figures;
}

/** The given currency first (a campaign's or store's), then the others alphabetically. */
export function byCurrency(first: string) {
  return (a: { currency: string }, b: { currency: string }) =>
    a.currency === b.currency
      ? 0
      : a.currency === first
        ? -1
        : b.currency === first
          ? 1
          : a.currency.localeCompare(b.currency);
}

/** Money in JSON: a decimal string with its currency, never a bare number. */
export interface MoneyJson {
  amount: string;
  currency: string;
}

export function moneyJson(minor: number, currency: string): MoneyJson {
  return { amount: formatMinorUnits(minor, currency), currency };
}

/** Per-currency figures as labelled JSON money. */
export function currencyFiguresJson(m: CurrencyFigures & { returnOnSpend?: number | null }) {
  const money = (n: number) => moneyJson(n, m.currency);
  return {
    currency: m.currency,
    revenue: money(m.revenue),
    commissions: {
      pending: money(m.commissions.pending),
      approved: money(m.commissions.approved),
      paid: money(m.commissions.paid),
      reversed: money(m.commissions.reversed),
      rejected: money(m.commissions.rejected),
      over_budget: money(m.commissions.over_budget),
    },
    ...(m.returnOnSpend === undefined ? {} : { returnOnSpend: m.returnOnSpend }),
  };
}
