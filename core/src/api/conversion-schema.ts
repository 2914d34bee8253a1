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
    prices_include_tax: z.boolean().optional().describe("Whether items_total includes items_tax (default false)"),
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
  .refine((b) => (b.items_tax === undefined && b.prices_include_tax === undefined) || b.items_total !== undefined, {
    message: "items_tax and prices_include_tax describe items_total: give it too",
    path: ["items_total"],
  })
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
