import { z } from "zod";

// The parts of a WooCommerce REST v3 order (and webhook payload) that the bridge reads. Unknown fields are
// dropped, not rejected: WooCommerce and its plugins add fields freely. Ids arrive as JSON numbers but are
// kept as strings, like every platform id in Trailmark.

export const WooIdSchema = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, "must be a numeric id")])
  .transform((id) => String(id));

/** WooCommerce money is a decimal string ("19.99"); a plugin may send a JSON number instead. */
export const WooDecimalSchema = z.union([z.string(), z.number().finite()]);

// REST v3 formats the *_gmt dates without a zone ("2024-11-20T10:04:31"); they are UTC by definition.
const GMT_DATE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
export const WooGmtDateSchema = z
  .string()
  .regex(GMT_DATE, "must be a date such as 2024-11-20T10:04:31")
  .transform((text, ctx) => {
    const iso = text.replace(" ", "T");
    const date = new Date(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: "custom", message: `not a date: "${text}"` });
      return z.NEVER;
    }
    return date;
  });

export const WooMetaSchema = z.object({
  id: z.union([z.number(), z.string()]).optional(),
  key: z.string(),
  value: z.unknown(),
});

export const WooOrderSchema = z.object({
  id: WooIdSchema,
  number: z.union([z.string(), z.number()]).nullish(),
  order_key: z.string().nullish(),
  status: z.string().min(1),
  currency: z.string().min(1),
  total: WooDecimalSchema,
  total_tax: WooDecimalSchema.nullish(),
  shipping_total: WooDecimalSchema.nullish(),
  prices_include_tax: z.boolean().nullish(),
  /** Line totals are after discounts and without tax, whether the store's prices include tax or not. */
  line_items: z
    .array(
      z.object({
        id: WooIdSchema.nullish(),
        product_id: WooIdSchema.nullish(),
        variation_id: WooIdSchema.nullish(),
        sku: z.string().nullish(),
        quantity: z.number().nullish(),
        /** Before discounts, without tax. */
        subtotal: WooDecimalSchema.nullish(),
        total: WooDecimalSchema,
        total_tax: WooDecimalSchema.nullish(),
      }),
    )
    .nullish(),
  fee_lines: z.array(z.object({ total: WooDecimalSchema })).nullish(),
  customer_id: z.union([z.number(), z.string()]).nullish(),
  billing: z.object({ email: z.string().nullish() }).nullish(),
  date_created_gmt: WooGmtDateSchema,
  date_modified_gmt: WooGmtDateSchema.nullish(),
  date_paid_gmt: WooGmtDateSchema.nullish(),
  meta_data: z.array(WooMetaSchema).nullish(),
  coupon_lines: z.array(z.object({ code: z.string() })).nullish(),
  refunds: z.array(z.object({ id: WooIdSchema, total: WooDecimalSchema, reason: z.string().nullish() })).nullish(),
});
export type WooOrder = z.infer<typeof WooOrderSchema>;

/** The body of an order.deleted delivery: only the id. */
export const WooDeletedOrderSchema = z.object({ id: WooIdSchema });

/** What the webhook endpoint needs to know before queueing: enough for the dedup key. */
export const WooDeliveryKeySchema = z.object({ id: WooIdSchema });
