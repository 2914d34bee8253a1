import { z } from "zod";
import { clickIdsFromUrl, isClickId } from "../../core/src/links/click-id.ts";
import { normalizeDiscountCode } from "../../core/src/links/link-store.ts";
import {
  type NormalizedOrder,
  NormalizedOrderSchema,
  type OrderStatus,
} from "../../core/src/orders/normalized-order.ts";
import { hashCustomerRef, hashEmail } from "../../core/src/shared/hashing.ts";
import { toMinorUnits } from "../../core/src/shared/money.ts";
import { parseJsonKeepingBigInts } from "./shopify-json.server.ts";

// Shopify order and refund webhook payloads (REST shape) -> core's NormalizedOrder. Pure: text in, data out.
// Ids are read exactly: from admin_graphql_api_id when present, otherwise from the raw number, which the parser
// keeps as a string when it is beyond 2^53.

/** An id as Shopify sends it: a (possibly 64-bit) number or a string; always handled as a decimal string. */
const IdSchema = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String);
const AmountSchema = z.union([z.string().regex(/^-?\d*(\.\d*)?$/), z.number().finite()]);
const TimestampSchema = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be a date-time");

const TransactionSchema = z.object({
  kind: z.string(),
  status: z.string().nullish(),
  amount: AmountSchema,
  currency: z.string().nullish(),
});

export const ShopifyRefundSchema = z.object({
  id: IdSchema,
  admin_graphql_api_id: z.string().nullish(),
  order_id: IdSchema,
  created_at: TimestampSchema.nullish(),
  transactions: z.array(TransactionSchema).default([]),
  refund_line_items: z.array(z.object({ subtotal: AmountSchema.nullish() })).nullish(),
});
export type ShopifyRefund = z.infer<typeof ShopifyRefundSchema>;

export const ShopifyOrderSchema = z.object({
  id: IdSchema,
  admin_graphql_api_id: z.string().nullish(),
  name: z.string().nullish(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  subtotal_price: AmountSchema.nullish(),
  total_price: AmountSchema,
  financial_status: z.string().nullish(),
  cancelled_at: TimestampSchema.nullish(),
  test: z.boolean().nullish(),
  email: z.string().nullish(),
  contact_email: z.string().nullish(),
  customer: z.object({ id: IdSchema, email: z.string().nullish() }).nullish(),
  checkout_token: z.string().nullish(),
  landing_site: z.string().nullish(),
  note_attributes: z.array(z.object({ name: z.string(), value: z.unknown() })).nullish(),
  discount_codes: z.array(z.object({ code: z.string() })).nullish(),
  refunds: z.array(ShopifyRefundSchema.omit({ order_id: true })).nullish(),
  created_at: TimestampSchema,
  updated_at: TimestampSchema.nullish(),
});
export type ShopifyOrder = z.infer<typeof ShopifyOrderSchema>;

/** Cart attributes the pixel or theme may set with the click id. */
export const CLICK_ID_ATTRIBUTES = ["tm_click", "_tm_click"];

/** "gid://shopify/Order/820982911946154508" -> "820982911946154508"; null for anything else. */
export function idFromGid(gid: string | null | undefined): string | null {
  const match = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)(?:\?.*)?$/.exec(gid ?? "");
  return match ? match[1]! : null;
}

/**
 * cancelled -> reversed; paid, partially or fully refunded -> confirmed (refunds are netted by core);
 * voided or expired authorizations -> reversed; pending, authorized, partially paid and unknown -> pending.
 */
export function orderStatusOf(order: Pick<ShopifyOrder, "cancelled_at" | "financial_status">): OrderStatus {
  if (order.cancelled_at) return "reversed";
  switch (order.financial_status) {
    case "paid":
    case "partially_refunded":
    case "refunded":
      return "confirmed";
    case "voided":
    case "expired":
      return "reversed";
    default:
      return "pending";
  }
}

/**
 * How much of the order's merchandise a refund takes back, in minor units. Commissions are computed on
 * subtotal_price (after discounts, before shipping and tax), so a refund of items counts the items'
 * subtotals; returned shipping and tax are not merchandise and do not reduce a commission. A refund of a
 * custom amount has no line items: then the money actually returned (successful refund transactions) counts.
 */
export function refundAmount(
  refund: Pick<ShopifyRefund, "transactions" | "refund_line_items">,
  currency: string,
): number {
  const items = refund.refund_line_items ?? [];
  if (items.length > 0) return items.reduce((sum, i) => sum + Math.abs(toMinorUnits(i.subtotal ?? "0", currency)), 0);
  return refund.transactions
    .filter((t) => t.kind === "refund" && (t.status ?? "success") === "success")
    .reduce((sum, t) => sum + Math.abs(toMinorUnits(t.amount, t.currency ?? currency)), 0);
}

export function clickIdsOf(order: Pick<ShopifyOrder, "landing_site" | "note_attributes">): string[] {
  const fromAttributes = (order.note_attributes ?? [])
    .filter((a) => CLICK_ID_ATTRIBUTES.includes(a.name.trim().toLowerCase()))
    .map((a) => (typeof a.value === "string" ? a.value.trim() : a.value))
    .filter(isClickId);
  return [...new Set([...clickIdsFromUrl(order.landing_site), ...fromAttributes])];
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join(".") || "(body)"}: ${issue.message}` : "malformed";
}

function parsePayload<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let json: unknown;
  try {
    json = parseJsonKeepingBigInts(text);
  } catch {
    throw new Error(`${what} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`invalid ${what}: ${describe(parsed.error)}`);
  return parsed.data;
}

export function toNormalizedOrder(order: ShopifyOrder): NormalizedOrder {
  const email = order.email || order.contact_email || order.customer?.email || null;
  const codes = (order.discount_codes ?? []).map((d) => normalizeDiscountCode(d.code)).filter((c) => c.length > 0);
  return NormalizedOrderSchema.parse({
    externalId: idFromGid(order.admin_graphql_api_id) ?? order.id,
    number: order.name ?? null,
    status: orderStatusOf(order),
    currency: order.currency,
    // The commission base: line items after discounts, before shipping and taxes.
    total: Math.max(0, toMinorUnits(order.subtotal_price ?? order.total_price, order.currency)),
    refunds: (order.refunds ?? []).map((r) => ({
      id: idFromGid(r.admin_graphql_api_id) ?? r.id,
      amount: refundAmount(r, order.currency),
    })),
    customerEmailHash: email ? hashEmail(email) : null,
    customerRef: order.customer ? hashCustomerRef(order.customer.id) : null,
    checkoutToken: order.checkout_token?.slice(0, 200) || null,
    landingUrl: order.landing_site?.slice(0, 4000) || null,
    clickIds: clickIdsOf(order),
    discountCodes: [...new Set(codes)].map((c) => c.slice(0, 100)),
    isTest: order.test ?? false,
    placedAt: order.created_at,
    sourceUpdatedAt: order.updated_at ?? order.created_at,
  });
}

/** An orders/* webhook body (the exact text Shopify sent) -> NormalizedOrder; throws naming the bad field. */
export function normalizeShopifyOrder(body: string): NormalizedOrder {
  return toNormalizedOrder(parsePayload(ShopifyOrderSchema, body, "Shopify order"));
}

export interface NormalizedRefund {
  orderExternalId: string;
  refund: { id: string; amount: number };
  createdAt: Date | null;
}

/** A refunds/create webhook body -> the order it belongs to and the amount returned. */
export function normalizeShopifyRefund(body: string, shopCurrency: string): NormalizedRefund {
  const refund = parsePayload(ShopifyRefundSchema, body, "Shopify refund");
  return {
    orderExternalId: refund.order_id,
    refund: {
      id: idFromGid(refund.admin_graphql_api_id) ?? refund.id,
      amount: refundAmount(refund, shopCurrency),
    },
    createdAt: refund.created_at ? new Date(refund.created_at) : null,
  };
}
