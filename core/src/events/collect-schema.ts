import { z } from "zod";
import { CLICK_ID_PATTERN } from "../links/click-id.ts";
import { CurrencySchema, toMinorUnits } from "../shared/money.ts";

// The body of POST /collect, sent by the Shopify web pixel and by /t.js. Field names are snake_case as
// they travel over the wire. Values are decimal amounts as the browser sees them; the server converts
// them to minor units.
export const MAX_COLLECT_BYTES = 64 * 1024;
export const MAX_EVENTS_PER_BATCH = 100;

const ClickIdSchema = z.string().regex(CLICK_ID_PATTERN, "must be a Trailmark click id (tm_…)");
const DecimalSchema = z.union([z.number().finite().nonnegative(), z.string().regex(/^\d+(\.\d+)?$/)]);

// Browser clocks are wrong in every way; a date outside these bounds is a bug in the sender (an epoch in
// seconds, a year 1, an epoch JavaScript cannot turn into a date) and would fail the insert of every
// visitor's events written with it. Dates in the near future are clamped later (toEventRecord).
export const EARLIEST_EVENT_TIME = Date.UTC(2000, 0, 1);
export const LATEST_EVENT_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const inEventRange = (ms: number) => ms >= EARLIEST_EVENT_TIME && ms <= LATEST_EVENT_TIME;
const RANGE_MESSAGE = "must be a date from the year 2000 to 9999 (epoch milliseconds or ISO 8601)";
const EventTimeSchema = z.union([
  z.iso.datetime({ offset: true }).refine((t) => inEventRange(Date.parse(t)), RANGE_MESSAGE),
  z.number().int().refine(inEventRange, RANGE_MESSAGE),
]);

/** An amount the store can hold in minor units of its currency (a safe integer), or the reason it cannot. */
export function minorUnitsOrReason(
  value: number | string,
  currency: string,
): { ok: true; minor: number } | { ok: false; reason: string } {
  try {
    return { ok: true, minor: toMinorUnits(value, currency) };
  } catch {
    return { ok: false, reason: `${String(value).slice(0, 40)} ${currency} is beyond the amounts Trailmark can hold` };
  }
}

const Common = {
  /** Sender's event id: the same id sent twice is stored once. */
  id: z
    .string()
    .min(1)
    .max(100)
    // The conversions API keys its events "api:…"; a browser taking one first would shadow the server's.
    .refine((id) => !id.startsWith("api:"), "ids beginning with api: are reserved for the conversions API"),
  visitor_id: z.string().min(1).max(100),
  occurred_at: EventTimeSchema.optional(),
  url: z.string().max(4000).optional(),
  referrer: z.string().max(4000).optional(),
  /** Click ids the browser holds for this visitor (from the landing URL and its first-party storage). */
  click_ids: z.array(ClickIdSchema).max(20).default([]),
};

export const PageViewEventSchema = z.object({ ...Common, type: z.literal("page_view") }).strict();
export const SignUpEventSchema = z
  .object({ ...Common, type: z.literal("sign_up"), customer: z.string().max(320).optional() })
  .strict();
export const PurchaseEventSchema = z
  .object({
    ...Common,
    type: z.literal("purchase"),
    checkout_token: z.string().max(200).optional(),
    order_id: z.string().max(200).optional(),
    order_key: z.string().max(200).optional(),
    value: DecimalSchema.optional(),
    currency: CurrencySchema.optional(),
    discount_codes: z.array(z.string().max(100)).max(20).default([]),
  })
  .strict()
  .refine((e) => e.checkout_token || e.order_id, {
    message: "a purchase needs checkout_token or order_id",
    path: ["order_id"],
  })
  .refine((e) => e.value === undefined || e.currency, { message: "value needs a currency", path: ["currency"] });
export const CustomEventSchema = z
  .object({
    ...Common,
    type: z.literal("custom"),
    name: z.string().min(1).max(100),
    value: DecimalSchema.optional(),
    currency: CurrencySchema.optional(),
  })
  .strict()
  // A purchase keeps its join when its value is out of range (toEventRecord drops the value); a custom
  // event's value is all it reports, so it is refused.
  .superRefine((e, ctx) => {
    if (e.value === undefined || !e.currency) return;
    const amount = minorUnitsOrReason(e.value, e.currency);
    if (!amount.ok) ctx.addIssue({ code: "custom", path: ["value"], message: amount.reason });
  });

export const CollectEventSchema = z.discriminatedUnion("type", [
  PageViewEventSchema,
  SignUpEventSchema,
  PurchaseEventSchema,
  CustomEventSchema,
]);
export type CollectEvent = z.infer<typeof CollectEventSchema>;

const StoreIdSchema = z.string().min(1).max(100);
const CollectBatchSchema = z
  .object({ store: StoreIdSchema, events: z.array(CollectEventSchema).min(1).max(MAX_EVENTS_PER_BATCH) })
  .strict();
const StoreFieldSchema = z.object({ store: StoreIdSchema });

/**
 * A parsed /collect body, one event or a batch, always naming the store (the account id the pixel/script was
 * configured with), as that store and its events: `{store, events: [...]}`, or one event with `store` beside
 * its fields. The single-event form (how the pixel sends every event) is checked as its store and its event
 * apart: a zod union of the two forms with an intersection cost 13-24 µs a request here, this about 3.
 */
export function parseCollectRequest(
  json: unknown,
): { success: true; data: { store: string; events: CollectEvent[] } } | { success: false; error: z.ZodError } {
  if (typeof json === "object" && json !== null && !Array.isArray(json) && !("events" in json)) {
    const { store, ...event } = json as Record<string, unknown>;
    const storeId = StoreFieldSchema.safeParse({ store });
    if (!storeId.success) return storeId;
    const parsed = CollectEventSchema.safeParse(event);
    if (!parsed.success) return parsed;
    return { success: true, data: { store: storeId.data.store, events: [parsed.data] } };
  }
  return CollectBatchSchema.safeParse(json);
}
