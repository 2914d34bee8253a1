import { z } from "zod";
import { CurrencySchema, MinorUnitsSchema } from "../shared/money.ts";

// What every platform adapter turns its order payload into. Platform ids are strings (Shopify ids exceed
// 2^53), money is integer minor units, personal data is already hashed.
export const ORDER_STATUSES = ["pending", "confirmed", "reversed"] as const;
export const OrderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

export const RefundSchema = z.object({ id: z.string().min(1), amount: MinorUnitsSchema }).strict();

export const NormalizedOrderSchema = z
  .object({
    externalId: z.string().min(1).max(200),
    number: z.string().max(200).nullable().default(null),
    /** pending: placed, not paid; confirmed: paid; reversed: cancelled, failed or deleted. */
    status: OrderStatusSchema,
    currency: CurrencySchema,
    /** Order value that commissions are computed on (before refunds), minor units. */
    total: MinorUnitsSchema,
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
