import { z } from "zod";

// What a percentage commission is a percentage of, defined once for every platform. The default is what
// affiliate programs pay on: the items the customer bought, after discounts, without tax, shipping, fees or
// gift cards (a gift card is money, not a sale). A campaign may choose the order total instead: everything
// the customer paid. Adapters report both figures for each order and each refund; core picks the
// campaign's.
export const COMMISSION_BASES = ["items", "order_total"] as const;
export const CommissionBaseSchema = z
  .enum(COMMISSION_BASES)
  .describe(
    "items: items after discounts, without tax, shipping, fees or gift cards; order_total: what the customer paid",
  );
export type CommissionBase = z.infer<typeof CommissionBaseSchema>;
export const DEFAULT_COMMISSION_BASE: CommissionBase = "items";

export const COMMISSION_BASE_LABELS: Record<CommissionBase, string> = {
  items: "Items after discounts (without tax, shipping, fees and gift cards)",
  order_total: "Order total (everything the customer paid, tax and shipping included)",
};

/** One line of a basket as a platform reports it, in minor units. */
export interface BasketLine {
  /** The line's price × quantity after its discounts. */
  amount: number;
  /** Tax on the line (after discounts). */
  tax: number;
  /** Whether `amount` contains `tax` (Shopify `taxes_included`, WooCommerce `prices_include_tax` prices). */
  taxIncluded: boolean;
  /** A gift card sold on this line: money, not a sale, never in the base. */
  giftCard?: boolean;
}

/** The items base of a basket: each line after discounts, tax taken out where prices include it. */
export function itemsBase(lines: readonly BasketLine[]): number {
  let base = 0;
  for (const line of lines) {
    if (line.giftCard) continue;
    base += line.amount - (line.taxIncluded ? line.tax : 0);
  }
  return Math.max(0, base);
}

/** An order's money on one base: its amount before refunds and what refunds took back (≤ total). */
export interface BaseAmounts {
  total: number;
  refunded: number;
}

/** The order's figures on the campaign's base. */
export function amountsOnBase(
  order: { total: number; refunded: number; orderTotal: number; orderRefunded: number },
  base: CommissionBase,
): BaseAmounts {
  const total = base === "order_total" ? order.orderTotal : order.total;
  const refunded = base === "order_total" ? order.orderRefunded : order.refunded;
  return { total, refunded: Math.min(Math.max(refunded, 0), total) };
}

/** The items base of an order's lines (orders/normalized-order.ts): their amounts, gift cards left out. */
export function itemsBaseOfLines(lines: readonly { amount: number; giftCard?: boolean }[]): number {
  let base = 0;
  for (const line of lines) if (!line.giftCard) base += line.amount;
  return base;
}
