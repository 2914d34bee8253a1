import { mulDivRoundHalfUp } from "@trailmark/core/commissions";
import { clickIdsFromUrl, isClickId } from "@trailmark/core/links";
import {
  itemsBase,
  itemsBaseOfLines,
  type NormalizedOrder,
  NormalizedOrderSchema,
  type OrderLineInput,
  type OrderStatus,
  type RefundLine,
} from "@trailmark/core/orders";
import { hashCustomerRef, hashEmail, toMinorUnits } from "@trailmark/core/shared";
import type { WooProductCategories } from "./product-categories.ts";
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
 * The order's line items, or [] when a line lacks its id. WooCommerce keeps line totals after discounts and
 * without tax in both tax modes (`prices_include_tax` only says how prices were entered), so a line's
 * amount is its `total`; its unit price is its `subtotal` (before discounts) per unit. `categories` (from the
 * store's catalogue, product-categories.ts) gives each product's categories.
 */
export function wooOrderLines(
  order: WooOrder,
  currency: string,
  categories: WooProductCategories = new Map(),
): OrderLineInput[] {
  const items = order.line_items ?? [];
  if (items.some((l) => !l.id)) return [];
  const money = (value: string | number | null | undefined) => Math.max(0, toMinorUnits(value ?? "0", currency));
  return items.map((l) => {
    const quantity = Math.max(0, Math.trunc(l.quantity ?? 1));
    const amount = money(l.total);
    const before = l.subtotal === undefined || l.subtotal === null ? amount : money(l.subtotal);
    const productId = l.product_id && l.product_id !== "0" ? l.product_id : null;
    return {
      id: l.id!,
      productId,
      variantId: l.variation_id && l.variation_id !== "0" ? l.variation_id : null,
      sku: l.sku?.slice(0, 200) || null,
      collectionIds: productId ? (categories.get(productId) ?? []).slice(0, 100) : [],
      quantity,
      unitPrice: quantity > 0 ? Math.round(before / quantity) : before,
      discount: Math.max(0, before - amount),
      tax: money(l.total_tax),
      amount,
    };
  });
}

/**
 * The order's money on both commission bases (core/src/orders/commission-base.ts): with lines, the items base
 * is the sum of their amounts; without, the total less tax, shipping and fees.
 */
export function wooOrderAmounts(order: WooOrder, currency: string): { items: number; orderTotal: number } {
  const money = (value: string | number | null | undefined) => toMinorUnits(value ?? "0", currency);
  const orderTotal = Math.max(0, money(order.total));
  const lines = wooOrderLines(order, currency);
  const items = lines.length
    ? itemsBaseOfLines(lines)
    : order.line_items?.length
      ? itemsBase(
          order.line_items.map((l) => ({ amount: money(l.total), tax: money(l.total_tax), taxIncluded: false })),
        )
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
): { id: string; amount: number; orderAmount: number; lines?: RefundLine[] }[] {
  const { items, orderTotal } = amounts;
  const refunds: { id: string; amount: number; orderAmount: number; lines?: RefundLine[] }[] = (
    order.refunds ?? []
  ).map((r) => {
    // The REST API reports refunds as negative amounts ("-5.00").
    const orderAmount = Math.abs(toMinorUnits(r.total, order.currency));
    const exact = refundItems.get(r.id);
    const amount =
      exact?.amount !== undefined && exact.amount !== null
        ? Math.min(exact.amount, items)
        : orderTotal > 0
          ? mulDivRoundHalfUp(items, Math.min(orderAmount, orderTotal), orderTotal)
          : 0;
    return { id: r.id, amount, orderAmount, ...(exact?.lines.length ? { lines: exact.lines } : {}) };
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

/**
 * `refundItems`: what the order's refunds took back of its items, and `categories`: its products'
 * categories, when the store's REST API was asked.
 */
export function normalizeWooOrder(
  order: WooOrder,
  refundItems?: WooRefundItems,
  categories?: WooProductCategories,
): NormalizedOrder {
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
    lines: wooOrderLines(order, currency, categories),
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
