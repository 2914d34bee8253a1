import { z } from "zod";
import { CLICK_ID_PATTERN } from "../links/click-id.ts";
import { CurrencySchema, toMinorUnits } from "../shared/money.ts";

// POST /api/v1/conversions: a store's own server reports a conversion. The OpenAPI document is generated
// from these schemas, so they carry the descriptions clients read.
export const MAX_API_BODY_BYTES = 16 * 1024;

const DecimalSchema = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?$/)]);

/** Whether a value converts to minor units within the safe-integer range (1e21 does not: it is not even decimal text). */
function fitsMinorUnits(value: number | string, currency: string): boolean {
  try {
    toMinorUnits(value, currency);
    return true;
  } catch {
    return false;
  }
}

const ApiIdSchema = z.string().min(1).max(200);

export const ConversionItemSchema = z
  .object({
    id: ApiIdSchema.optional().describe("Your id for this line of the order; its position (1, 2, …) when not given"),
    product_id: ApiIdSchema.optional().describe("The product's id in your catalogue: product rates match it"),
    variant_id: ApiIdSchema.optional().describe("The variant's id: variant rates match it"),
    sku: z.string().max(200).optional(),
    collection_ids: z
      .array(ApiIdSchema)
      .max(100)
      .optional()
      .describe("Collections or categories the product belongs to: collection rates match them"),
    quantity: z.number().int().min(0).max(1_000_000),
    unit_price: DecimalSchema.describe(
      "Price of one unit before discounts, as priced (tax included when prices_include_tax)",
    ),
    discount: DecimalSchema.optional().describe("All discounts on this line, in total"),
    tax: DecimalSchema.optional().describe("The tax on this line, after discounts"),
    gift_card: z.boolean().optional().describe("A gift card sold: money, not a sale, never commissioned"),
  })
  .strict();
export type ConversionItem = z.infer<typeof ConversionItemSchema>;

function itemFits(item: ConversionItem, currency: string): boolean {
  const amounts = [item.unit_price, item.discount ?? 0, item.tax ?? 0];
  if (!amounts.every((a) => fitsMinorUnits(a, currency))) return false;
  return Number.isSafeInteger(toMinorUnits(item.unit_price, currency) * item.quantity);
}

export const ConversionRequestSchema = z
  .object({
    type: z.enum(["sign_up", "lead", "purchase", "custom"]).describe("What happened"),
    occurred_at: z.iso.datetime({ offset: true }).describe("When it happened (ISO 8601 with offset)"),
    click_id: z.string().regex(CLICK_ID_PATTERN).optional().describe("The tm_click value from the landing URL"),
    visitor_id: z.string().min(1).max(100).optional().describe("The visitor id the site script assigned (_tm_vid)"),
    customer_reference: z
      .string()
      .min(1)
      .max(320)
      .optional()
      .describe("Your customer id or email; hashed on arrival, never stored as sent"),
    value: DecimalSchema.optional().describe(
      "Decimal amount in the currency's major unit, e.g. 49.90: for a purchase, what the customer paid (the order total)",
    ),
    items_total: DecimalSchema.optional().describe(
      "A purchase's items after discounts, as priced (tax included when prices_include_tax), without shipping, fees or gift cards: the default commission base. Without it the commission base is value",
    ),
    items_tax: DecimalSchema.optional().describe("The tax on those items"),
    prices_include_tax: z
      .boolean()
      .optional()
      .describe("Whether items_total includes items_tax, or the items' prices their tax (default false)"),
    currency: CurrencySchema.optional(),
    order_id: z.string().min(1).max(200).optional().describe("Required for purchases: the order's id in your system"),
    event_id: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe("Your id for a non-purchase conversion; makes retries safe"),
    name: z.string().min(1).max(100).optional().describe("Name of a custom conversion"),
    discount_codes: z.array(z.string().max(100)).max(20).optional(),
    items: z
      .array(ConversionItemSchema)
      .min(1)
      .max(100)
      .optional()
      .describe(
        "A purchase's lines: product, variant and collection rates apply to them, and the commission base is their total after discounts, without tax (replaces items_total)",
      ),
  })
  .strict()
  .refine((b) => b.click_id || b.visitor_id || b.customer_reference || b.discount_codes?.length, {
    message: "give click_id, visitor_id, customer_reference or discount_codes so the conversion can be attributed",
    path: ["click_id"],
  })
  .refine((b) => b.type !== "purchase" || b.order_id, { message: "a purchase needs order_id", path: ["order_id"] })
  .refine((b) => b.value === undefined || b.currency, { message: "value needs a currency", path: ["currency"] })
  .refine((b) => b.items_total === undefined || b.value !== undefined, {
    message: "items_total needs value (the order total)",
    path: ["value"],
  })
  .refine((b) => b.items === undefined || b.items_total === undefined, {
    message: "give items or items_total, not both: the items' total is the commission base",
    path: ["items_total"],
  })
  .refine((b) => b.items === undefined || (b.type === "purchase" && b.value !== undefined), {
    message: "items describe a purchase: give type purchase and value (the order total)",
    path: ["items"],
  })
  .refine((b) => !b.items || new Set(b.items.map((item, i) => item.id ?? String(i + 1))).size === b.items.length, {
    message: "each item needs its own id",
    path: ["items"],
  })
  .refine((b) => !b.items || !b.currency || b.items.every((item) => itemFits(item, b.currency!)), {
    message: "an item's amounts are out of range: too large to count in the currency's minor units",
    path: ["items"],
  })
  .refine(
    (b) =>
      (b.items_tax === undefined && b.prices_include_tax === undefined) ||
      b.items_total !== undefined ||
      (b.prices_include_tax !== undefined && b.items_tax === undefined && b.items !== undefined),
    {
      message: "items_tax and prices_include_tax describe items_total: give it too (or items, with prices_include_tax)",
      path: ["items_total"],
    },
  )
  .refine((b) => b.value === undefined || !b.currency || fitsMinorUnits(b.value, b.currency), {
    message: "value is out of range: too large to count in the currency's minor units",
    path: ["value"],
  })
  .refine((b) => b.items_total === undefined || !b.currency || fitsMinorUnits(b.items_total, b.currency), {
    message: "items_total is out of range: too large to count in the currency's minor units",
    path: ["items_total"],
  })
  .refine((b) => b.items_tax === undefined || !b.currency || fitsMinorUnits(b.items_tax, b.currency), {
    message: "items_tax is out of range: too large to count in the currency's minor units",
    path: ["items_tax"],
  })
  .refine((b) => b.type !== "custom" || b.name, { message: "a custom conversion needs a name", path: ["name"] });
export type ConversionRequest = z.infer<typeof ConversionRequestSchema>;

export const CommissionSchema = z.object({
  creator_id: z.string(),
  campaign_id: z.string(),
  status: z.enum(["pending", "approved", "paid", "reversed", "rejected", "over_budget"]),
  amount: z.number().int().describe("Minor units: what the commission is worth now (0 when rejected or reversed)"),
  original: z
    .number()
    .int()
    .describe("Minor units: the commission before refunds, or what it would have been when rejected"),
  reversed: z
    .number()
    .int()
    .describe("Minor units: original minus amount, what refunds and cancels undid (0 when rejected)"),
  currency: z.string().describe("ISO 4217 currency of amount, original and reversed"),
  rule: z.string().nullable().describe("The rule that rejected it, if any"),
  reason: z.string().nullable(),
});

export const ConversionResponseSchema = z.object({
  conversion_id: z.string(),
  status: z.enum(["attributed", "unattributed", "rejected"]),
  commissions: z.array(CommissionSchema),
});
export type ConversionResponse = z.infer<typeof ConversionResponseSchema>;

export const ErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
