import { mulDivRoundHalfUp } from "@trailmark/core/commissions";
import { clickIdsFromUrl, isClickId } from "@trailmark/core/links";
import { itemsBase, type NormalizedOrder, NormalizedOrderSchema, type OrderStatus } from "@trailmark/core/orders";
import { hashCustomerRef, hashEmail, toMinorUnits } from "@trailmark/core/shared";
import type { WooRefundItems } from "./refund-items.ts";
import type { WooOrder } from "./woo-order-schema.ts";

// WooCommerce order -> the platform-free order that core attributes. Pure: the same snapshot always gives
// the same result, so a replayed webhook or a reconciliation poll changes nothing.

const ATTRIBUTION_PREFIX = "_wc_order_attribution_";
const MAX_LANDING_URL = 4000;
const MAX_CODE = 100;

/** WooCommerce's order statuses, plus what we assume for the ones plugins add. */
export function mapWooStatus(status: string, paid: boolean): OrderStatus {
  switch (status) {
    case "pending":
    case "on-hold":
    case "checkout-draft":
      return "pending";
    case "processing":
    case "completed":
    case "refunded":
      return "confirmed";
    case "cancelled":
    case "failed":
    case "trash":
      return "reversed";
    default:
      // Plugin statuses (shipped, delivered, partially-paid …) carry no meaning we can rely on; whether
      // WooCommerce recorded a payment does.
      return paid ? "confirmed" : "pending";
  }
}

/** The order's `_wc_order_attribution_*` meta as plain strings, keyed without the prefix. */
export function attributionMeta(order: Pick<WooOrder, "meta_data">): Record<string, string> {
  const out: Record<string, string> = {};
  for (const meta of order.meta_data ?? []) {
    if (!meta.key.startsWith(ATTRIBUTION_PREFIX) || typeof meta.value !== "string") continue;
    out[meta.key.slice(ATTRIBUTION_PREFIX.length)] = meta.value;
  }
  return out;
}

/**
 * Click ids the order carries without our script: a tracking link puts the click id in utm_id, so
 * WooCommerce's own attribution records it in `utm_id` and in the landing URL (`session_entry`). A
 * merchant may use utm_content for it too; only values shaped like our ids count.
 */
export function clickIdsFromAttribution(meta: Record<string, string>): string[] {
  const found = [meta.utm_id, meta.utm_content].filter(isClickId);
  return [...new Set([...found, ...clickIdsFromUrl(meta.session_entry)])];
}

/**
 * The order's money on both commission bases (core/src/orders/commission-base.ts). WooCommerce keeps line
 * totals after discounts and without tax in both tax modes (`prices_include_tax` only says how prices were
 * entered), so the items base is their sum; without lines it is the total less tax, shipping and fees.
 */
export function wooOrderAmounts(order: WooOrder, currency: string): { items: number; orderTotal: number } {
  const money = (value: string | number | null | undefined) => toMinorUnits(value ?? "0", currency);
  const orderTotal = Math.max(0, money(order.total));
  const items = order.line_items?.length
    ? itemsBase(order.line_items.map((l) => ({ amount: money(l.total), tax: money(l.total_tax), taxIncluded: false })))
    : itemsBase([
        {
          amount:
            orderTotal -
            money(order.shipping_total) -
            (order.fee_lines ?? []).reduce((sum, f) => sum + money(f.total), 0),
          tax: money(order.total_tax),
          taxIncluded: true,
        },
      ]);
  return { items, orderTotal };
}

/**
 * Refunds with their WooCommerce ids, on both bases: the money returned, and what they take off the items
 * base. `refundItems` (fetched from the store's REST API by the caller, refund-items.ts) gives each refund's
 * refunded items without tax exactly, and 0 for a refund of shipping or fees only. A refund it does not
 * know, because the store has no REST keys or could not be asked, takes the same share of the items base as
 * of the order: the order's own refund records carry no line items. A fully refunded order without refund
 * records is refunded in full.
 */
export function wooRefunds(
  order: WooOrder,
  amounts: { items: number; orderTotal: number },
  refundItems: WooRefundItems = new Map(),
): { id: string; amount: number; orderAmount: number }[] {
  const { items, orderTotal } = amounts;
  const refunds = (order.refunds ?? []).map((r) => {
    // The REST API reports refunds as negative amounts ("-5.00").
    const orderAmount = Math.abs(toMinorUnits(r.total, order.currency));
    const exact = refundItems.get(r.id);
    const amount =
      exact !== undefined && exact !== null
        ? Math.min(exact, items)
        : orderTotal > 0
          ? mulDivRoundHalfUp(items, Math.min(orderAmount, orderTotal), orderTotal)
          : 0;
    return { id: r.id, amount, orderAmount };
  });
  if (order.status === "refunded") {
    const refunded = refunds.reduce((sum, r) => sum + r.amount, 0);
    const returned = refunds.reduce((sum, r) => sum + r.orderAmount, 0);
    if (refunded < items || returned < orderTotal) {
      refunds.push({
        id: `${order.id}:refunded`,
        amount: Math.max(0, items - refunded),
        orderAmount: Math.max(0, orderTotal - returned),
      });
    }
  }
  return refunds;
}

function uniqueCodes(codes: string[]): string[] {
  return [...new Set(codes.map((c) => c.trim()).filter((c) => c !== "" && c.length <= MAX_CODE))];
}

/** `refundItems`: what the order's refunds took back of its items, when the store's REST API was asked. */
export function normalizeWooOrder(order: WooOrder, refundItems?: WooRefundItems): NormalizedOrder {
  const currency = order.currency.toUpperCase();
  const amounts = wooOrderAmounts(order, currency);
  const meta = attributionMeta(order);
  const email = order.billing?.email?.trim();
  const customerId = order.customer_id === undefined || order.customer_id === null ? "0" : String(order.customer_id);
  const landingUrl = meta.session_entry?.trim() || null;
  return NormalizedOrderSchema.parse({
    externalId: order.id,
    number: order.number === undefined || order.number === null ? null : String(order.number),
    status: mapWooStatus(order.status, Boolean(order.date_paid_gmt)),
    currency,
    total: amounts.items,
    orderTotal: amounts.orderTotal,
    refunds: wooRefunds({ ...order, currency }, amounts, refundItems),
    customerEmailHash: email ? hashEmail(email) : null,
    // Guests are customer 0; registered customers get a stable reference that says nothing about them.
    customerRef: customerId !== "0" && customerId !== "" ? hashCustomerRef(`woocommerce:${customerId}`) : null,
    // The order-received page sends order_key with its purchase event; the collector keeps it as the
    // event's checkout token, which joins the browser's clicks to this order.
    checkoutToken: order.order_key || null,
    landingUrl: landingUrl ? landingUrl.slice(0, MAX_LANDING_URL) : null,
    clickIds: clickIdsFromAttribution(meta),
    discountCodes: uniqueCodes((order.coupon_lines ?? []).map((c) => c.code)),
    isTest: false,
    placedAt: order.date_created_gmt,
    sourceUpdatedAt: order.date_modified_gmt ?? order.date_created_gmt,
  });
}
