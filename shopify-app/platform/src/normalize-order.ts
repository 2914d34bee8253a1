import { mulDivRoundHalfUp } from "@trailmark/core/commissions";
import { clickIdsFromUrl, isClickId, normalizeDiscountCode } from "@trailmark/core/links";
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
import { z } from "zod";
import { parseJsonKeepingBigInts } from "./shopify-json.ts";

// Shopify order and refund webhook payloads (REST shape) -> core's NormalizedOrder. Pure: text in, data out.
// Ids are read exactly: from admin_graphql_api_id when present, otherwise from the raw number, which the parser
// keeps as a string when it is beyond 2^53.

/** An id as Shopify sends it: a (possibly 64-bit) number or a string; always handled as a decimal string. */
const IdSchema = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String);
const AmountSchema = z.union([z.string().regex(/^-?\d*(\.\d*)?$/), z.number().finite()]);
const TimestampSchema = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be a date-time");
/** Shopify's `*_set`: the amount in the shop's currency and in the customer's (presentment) currency. */
const MoneySchema = z.object({ amount: AmountSchema, currency_code: z.string().regex(/^[A-Z]{3}$/) });
const MoneySetSchema = z.object({ shop_money: MoneySchema, presentment_money: MoneySchema.nullish() }).nullish();
const TaxLineSchema = z.object({ price: AmountSchema.nullish(), price_set: MoneySetSchema });
const LineItemSchema = z.object({
  id: IdSchema.nullish(),
  admin_graphql_api_id: z.string().nullish(),
  product_id: IdSchema.nullish(),
  variant_id: IdSchema.nullish(),
  sku: z.string().nullish(),
  price: AmountSchema.nullish(),
  price_set: MoneySetSchema,
  quantity: z.number().int().nonnegative().nullish(),
  gift_card: z.boolean().nullish(),
  tax_lines: z.array(TaxLineSchema).nullish(),
  discount_allocations: z.array(z.object({ amount: AmountSchema.nullish(), amount_set: MoneySetSchema })).nullish(),
});

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
  refund_line_items: z
    .array(
      z.object({
        line_item_id: IdSchema.nullish(),
        quantity: z.number().int().nonnegative().nullish(),
        subtotal: AmountSchema.nullish(),
        subtotal_set: MoneySetSchema,
        total_tax: AmountSchema.nullish(),
        total_tax_set: MoneySetSchema,
        line_item: z.object({ id: IdSchema.nullish(), gift_card: z.boolean().nullish() }).nullish(),
      }),
    )
    .nullish(),
});
export type ShopifyRefund = z.infer<typeof ShopifyRefundSchema>;

export const ShopifyOrderSchema = z.object({
  id: IdSchema,
  admin_graphql_api_id: z.string().nullish(),
  name: z.string().nullish(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  subtotal_price: AmountSchema.nullish(),
  subtotal_price_set: MoneySetSchema,
  total_price: AmountSchema,
  total_price_set: MoneySetSchema,
  total_tax: AmountSchema.nullish(),
  total_tax_set: MoneySetSchema,
  taxes_included: z.boolean().nullish(),
  line_items: z.array(LineItemSchema).nullish(),
  shipping_lines: z.array(z.object({ tax_lines: z.array(TaxLineSchema).nullish() })).nullish(),
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

type MoneySet = z.infer<typeof MoneySetSchema>;
type Amount = z.infer<typeof AmountSchema>;

/**
 * An amount in the shop's currency, minor units: the `*_set.shop_money` figure when Shopify sends one (the
 * plain field may be in the customer's currency), else the plain field.
 */
function shopMoney(plain: Amount | null | undefined, set: MoneySet, currency: string): number {
  return toMinorUnits(set?.shop_money.amount ?? plain ?? "0", currency);
}

type TaxLines = z.infer<typeof TaxLineSchema>[] | null | undefined;

function taxOf(taxLines: TaxLines, currency: string): number {
  return (taxLines ?? []).reduce((sum, t) => sum + shopMoney(t.price, t.price_set, currency), 0);
}

/**
 * The order's line items in the shop's currency, or [] when a line lacks its id or price (then the order's
 * items are known only as a subtotal). Shopify sends no collections with a line: they stay empty.
 */
export function orderLines(order: ShopifyOrder, currency: string): OrderLineInput[] {
  const items = order.line_items ?? [];
  if (items.some((l) => !l.id || (l.price == null && !l.price_set))) return [];
  const taxesIncluded = order.taxes_included ?? false;
  return items.map((l) => {
    const quantity = l.quantity ?? 1;
    const unitPrice = Math.max(0, shopMoney(l.price, l.price_set, currency));
    const discount = (l.discount_allocations ?? []).reduce(
      (d, a) => d + shopMoney(a.amount, a.amount_set, currency),
      0,
    );
    const tax = taxOf(l.tax_lines, currency);
    return {
      id: l.id!,
      productId: l.product_id ?? null,
      variantId: l.variant_id ?? null,
      sku: l.sku?.slice(0, 200) || null,
      quantity,
      unitPrice,
      discount: Math.max(0, discount),
      tax: Math.max(0, tax),
      amount: Math.max(0, unitPrice * quantity - discount - (taxesIncluded ? tax : 0)),
      giftCard: l.gift_card ?? false,
    };
  });
}

/**
 * The order's money on both commission bases (core/src/orders/commission-base.ts), in the shop's currency.
 * With lines, the items base is theirs (the same figure as the subtotal's when Shopify's figures agree).
 */
export function orderAmounts(
  order: ShopifyOrder,
  currency: string,
  lines: readonly OrderLineInput[] = orderLines(order, currency),
): { items: number; orderTotal: number } {
  const orderTotal = Math.max(0, shopMoney(order.total_price, order.total_price_set, currency));
  if (lines.length > 0) return { items: itemsBaseOfLines(lines), orderTotal };
  const subtotal = shopMoney(
    order.subtotal_price ?? order.total_price,
    order.subtotal_price_set ?? order.total_price_set,
    currency,
  );
  const lineItems = order.line_items ?? [];
  // Gift cards sold are in the subtotal but are money, not a sale.
  const giftCards = lineItems
    .filter((l) => l.gift_card)
    .reduce((sum, l) => {
      const gross = shopMoney(l.price, l.price_set, currency) * (l.quantity ?? 1);
      const discounts = (l.discount_allocations ?? []).reduce(
        (d, a) => d + shopMoney(a.amount, a.amount_set, currency),
        0,
      );
      return sum + gross - discounts;
    }, 0);
  // The tax on the items: from the lines when Shopify lists them, else the order's tax less the shipping's.
  const itemsTax = lineItems.some((l) => l.tax_lines)
    ? lineItems.filter((l) => !l.gift_card).reduce((sum, l) => sum + taxOf(l.tax_lines, currency), 0)
    : shopMoney(order.total_tax, order.total_tax_set, currency) -
      (order.shipping_lines ?? []).reduce((sum, s) => sum + taxOf(s.tax_lines, currency), 0);
  const items = itemsBase([
    { amount: subtotal - giftCards, tax: Math.max(0, itemsTax), taxIncluded: order.taxes_included ?? false },
  ]);
  return { items, orderTotal };
}

/**
 * The order's own exchange rate, from its total in both currencies: refund transactions are in the
 * customer's (presentment) currency and are converted at it. Null when Shopify sent no presentment total.
 */
export type PresentmentRate = { currency: string; shop: number; presentment: number } | null;

function presentmentRateOf(order: ShopifyOrder, currency: string): PresentmentRate {
  const presentment = order.total_price_set?.presentment_money;
  if (!presentment || presentment.currency_code === currency) return null;
  const amount = toMinorUnits(presentment.amount, presentment.currency_code);
  if (amount <= 0) return null;
  return {
    currency: presentment.currency_code,
    shop: shopMoney(order.total_price, order.total_price_set, currency),
    presentment: amount,
  };
}

/**
 * Money actually returned by a refund, in the shop's currency: its successful refund transactions, those in
 * the customer's currency converted at the order's own rate. A transaction in another currency with no rate
 * to convert it (a refunds/create delivery, without its order) is left out rather than read as shop money;
 * the order's next snapshot lists the refund with its rate.
 */
function moneyReturned(refund: Pick<ShopifyRefund, "transactions">, currency: string, rate: PresentmentRate): number {
  let total = 0;
  for (const t of refund.transactions) {
    if (t.kind !== "refund" || (t.status ?? "success") !== "success") continue;
    const from = t.currency ?? currency;
    const amount = Math.abs(toMinorUnits(t.amount, from));
    if (from === currency) total += amount;
    else if (rate && from === rate.currency) total += mulDivRoundHalfUp(amount, rate.shop, rate.presentment);
  }
  return total;
}

/**
 * What a refund takes off each commission base, in minor units. On the items base a refund of items counts
 * the refunded items after discounts, without their tax (when the order's prices include it) and without
 * returned shipping: the refunded items' share of that base. A refund of a custom amount has no line items:
 * it takes the items base down by the same share of the order as the money it returned. On the order total
 * base a refund counts the money returned. Without the order (`order` null: a refunds/create delivery) the
 * tax comes out of the refunded subtotals by `taxesIncluded`, the order's `taxes_included` as stored when the
 * order was ingested; when that is not known the subtotals count as they are, and the order's own snapshot,
 * which lists the refund too, corrects them when it arrives.
 */
export function refundAmounts(
  refund: Pick<ShopifyRefund, "transactions" | "refund_line_items">,
  currency: string,
  order: { taxesIncluded: boolean; items: number; orderTotal: number; rate: PresentmentRate } | null,
  taxesIncluded: boolean = order?.taxesIncluded ?? false,
): { amount: number; orderAmount: number; lines?: RefundLine[] } {
  const returned = moneyReturned(refund, currency, order?.rate ?? null);
  const lines = (refund.refund_line_items ?? []).filter((l) => !l.line_item?.gift_card);
  if (lines.length > 0) {
    const refunded = lines.map((l) => {
      const subtotal = Math.abs(shopMoney(l.subtotal, l.subtotal_set, currency));
      // In a taxes_included shop a refunded line's subtotal contains its tax (`total_tax`).
      const tax = taxesIncluded ? Math.abs(shopMoney(l.total_tax, l.total_tax_set, currency)) : 0;
      return {
        lineId: l.line_item_id ?? l.line_item?.id ?? null,
        quantity: l.quantity ?? 0,
        amount: Math.max(0, subtotal - tax),
      };
    });
    const amount = refunded.reduce((sum, l) => sum + l.amount, 0);
    const named = refunded.every((l) => l.lineId !== null);
    return {
      amount,
      orderAmount: returned,
      ...(named ? { lines: refunded.map((l) => ({ ...l, lineId: l.lineId! })) } : {}),
    };
  }
  if (!order || order.orderTotal <= 0) return { amount: returned, orderAmount: returned };
  const share = Math.min(returned, order.orderTotal);
  return { amount: mulDivRoundHalfUp(order.items, share, order.orderTotal), orderAmount: returned };
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
  // Commissions are in the shop's currency: Shopify's shop_money figures, whatever the customer paid in.
  const currency = order.total_price_set?.shop_money.currency_code ?? order.currency;
  const lines = orderLines(order, currency);
  const { items, orderTotal } = orderAmounts(order, currency, lines);
  const taxesIncluded = order.taxes_included ?? false;
  const rate = presentmentRateOf(order, currency);
  const email = order.email || order.contact_email || order.customer?.email || null;
  const codes = (order.discount_codes ?? []).map((d) => normalizeDiscountCode(d.code)).filter((c) => c.length > 0);
  return NormalizedOrderSchema.parse({
    externalId: idFromGid(order.admin_graphql_api_id) ?? order.id,
    number: order.name ?? null,
    status: orderStatusOf(order),
    currency,
    total: items,
    orderTotal,
    pricesIncludeTax: order.taxes_included ?? null,
    lines,
    refunds: (order.refunds ?? []).map((r) => ({
      id: idFromGid(r.admin_graphql_api_id) ?? r.id,
      ...refundAmounts(r, currency, { taxesIncluded, items, orderTotal, rate }),
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
  refund: { id: string; amount: number; orderAmount: number; lines?: RefundLine[] };
  createdAt: Date | null;
}

/** A refunds/create webhook body, parsed; throws naming the bad field. */
export function parseShopifyRefund(body: string): ShopifyRefund {
  return parsePayload(ShopifyRefundSchema, body, "Shopify refund");
}

/**
 * A refunds/create delivery's refund -> the order it belongs to and what it takes off each base.
 * `taxesIncluded`: the order's `taxes_included` as stored with it (null when not known); the delivery itself
 * does not say.
 */
export function toNormalizedRefund(
  refund: ShopifyRefund,
  shopCurrency: string,
  taxesIncluded: boolean | null = null,
): NormalizedRefund {
  return {
    orderExternalId: refund.order_id,
    refund: {
      id: idFromGid(refund.admin_graphql_api_id) ?? refund.id,
      ...refundAmounts(refund, shopCurrency, null, taxesIncluded ?? false),
    },
    createdAt: refund.created_at ? new Date(refund.created_at) : null,
  };
}

/** A refunds/create webhook body -> the order it belongs to and the amount returned. */
export function normalizeShopifyRefund(
  body: string,
  shopCurrency: string,
  taxesIncluded: boolean | null = null,
): NormalizedRefund {
  return toNormalizedRefund(parseShopifyRefund(body), shopCurrency, taxesIncluded);
}
