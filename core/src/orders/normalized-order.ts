import { z } from "zod";
import { CurrencySchema, MinorUnitsSchema } from "../shared/money.ts";

// What every platform adapter turns its order payload into. Platform ids are strings (Shopify ids exceed
// 2^53), money is integer minor units, personal data is already hashed.
export const ORDER_STATUSES = ["pending", "confirmed", "reversed"] as const;
export const OrderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

const PlatformIdSchema = z.string().min(1).max(200);

/**
 * One line of the order, in the order's currency and minor units. `amount` is the line's share of the items
 * base (orders/commission-base.ts): price × quantity less its discounts, without its tax (a gift card's is never in the base).
 * Adapters compute it because only they know whether their prices contain tax.
 */
export const OrderLineSchema = z
  .object({
    /** The platform's line id: refunds name the lines they take back by it. */
    id: PlatformIdSchema,
    productId: PlatformIdSchema.nullable().default(null),
    variantId: PlatformIdSchema.nullable().default(null),
    sku: z.string().max(200).nullable().default(null),
    /** Collections (Shopify) or categories (WooCommerce) the product belongs to, where known. */
    collectionIds: z.array(PlatformIdSchema).max(100).default([]),
    quantity: z.number().int().min(0).max(1_000_000),
    unitPrice: MinorUnitsSchema,
    /** All discounts on the line (line and order-level allocations). */
    discount: MinorUnitsSchema.default(0),
    tax: MinorUnitsSchema.default(0),
    amount: MinorUnitsSchema,
    giftCard: z.boolean().default(false),
  })
  .strict();
export type OrderLine = z.infer<typeof OrderLineSchema>;
export type OrderLineInput = z.input<typeof OrderLineSchema>;

/** What a refund took back of one line: units and the line's items-base amount. */
export const RefundLineSchema = z
  .object({ lineId: PlatformIdSchema, quantity: z.number().int().min(0).max(1_000_000), amount: MinorUnitsSchema })
  .strict();
export type RefundLine = z.infer<typeof RefundLineSchema>;

/**
 * A refund on both commission bases (orders/commission-base.ts): `amount` is what it takes off the items
 * base (the refunded items' share of it), `orderAmount` the money returned (the order total base; the
 * same as `amount` when not given).
 */
export const RefundSchema = z
  .object({
    id: z.string().min(1),
    amount: MinorUnitsSchema,
    orderAmount: MinorUnitsSchema.optional(),
    /** The lines it took back, when the platform says (absent: a refund of an amount, spread over the order). */
    lines: z.array(RefundLineSchema).max(1000).optional(),
  })
  .strict();
export type Refund = z.infer<typeof RefundSchema>;

export const NormalizedOrderSchema = z
  .object({
    externalId: z.string().min(1).max(200),
    number: z.string().max(200).nullable().default(null),
    /** pending: placed, not paid; confirmed: paid; reversed: cancelled, failed or deleted. */
    status: OrderStatusSchema,
    currency: CurrencySchema,
    /**
     * The items base that commissions are computed on by default (before refunds), minor units: items
     * after discounts, without tax, shipping, fees or gift cards (orders/commission-base.ts).
     */
    total: MinorUnitsSchema,
    /** What the customer paid (the "order total" base), minor units; null when it is `total`. */
    orderTotal: MinorUnitsSchema.nullable().default(null),
    /**
     * Whether the platform's line prices contain tax (Shopify `taxes_included`); null or absent when the
     * payload does not say. Kept with the order so that a refund delivered without its order (Shopify
     * refunds/create) can take the tax out of its refunded subtotals.
     */
    pricesIncludeTax: z.boolean().nullable().optional(),
    /**
     * The order's lines, when the platform lists them; `total` is then the sum of their amounts
     * (itemsBaseOfLines). Empty: the order's items are not known line by line.
     */
    lines: z.array(OrderLineSchema).max(1000).default([]),
    /** Refunds known so far, each with its platform id so that a replayed refund is counted once. */
    refunds: z.array(RefundSchema).default([]),
    customerEmailHash: z.string().nullable().default(null),
    customerRef: z.string().nullable().default(null),
    checkoutToken: z.string().max(200).nullable().default(null),
    landingUrl: z.string().max(4000).nullable().default(null),
    /** Click ids found in the order itself (landing URL, cart/note attributes, order meta). */
    clickIds: z.array(z.string().max(100)).default([]),
    discountCodes: z.array(z.string().max(100)).default([]),
    isTest: z.boolean().default(false),
    placedAt: z.coerce.date(),
    /** The platform's modification time; a snapshot older than the stored one is ignored. */
    sourceUpdatedAt: z.coerce.date(),
  })
  .strict();
export type NormalizedOrder = z.infer<typeof NormalizedOrderSchema>;
export type NormalizedOrderInput = z.input<typeof NormalizedOrderSchema>;
