import { hashCustomerRef } from "../shared/hashing.ts";
import { toMinorUnits } from "../shared/money.ts";
import { type CollectEvent, minorUnitsOrReason } from "./collect-schema.ts";

export type EventSource = "pixel" | "script" | "api";

/** A browser or API event in storage form: money in minor units, customer references hashed. */
export interface EventRecord {
  eventKey: string;
  type: "page_view" | "sign_up" | "lead" | "purchase" | "custom";
  source: EventSource;
  visitorExternalId: string | null;
  clickIds: string[];
  checkoutToken: string | null;
  orderRef: string | null;
  value: number | null;
  currency: string | null;
  name: string | null;
  url: string | null;
  referrer: string | null;
  customerRef: string | null;
  occurredAt: Date;
  /** JSON [{field, reason}] of values left out of a kept event; absent (null) when nothing was. */
  dropped?: string | null;
}

function stripUrl(url: string | undefined): string | null {
  if (!url) return null;
  // Keep where the visitor was, not who they are: drop the fragment and cap the length.
  return url.split("#")[0]!.slice(0, 2000);
}

/** A field of an event left out of its record, and why (the event itself is kept). */
export interface DroppedField {
  field: string;
  reason: string;
}

export function toEventRecord(
  event: CollectEvent,
  source: EventSource,
  now: Date,
  onDrop: (dropped: DroppedField) => void = () => {},
): EventRecord {
  const occurredAt = event.occurred_at === undefined ? now : new Date(event.occurred_at);
  // A browser clock far in the future would let a visit count before the click it came from.
  const at = occurredAt.getTime() > now.getTime() + 5 * 60_000 ? now : occurredAt;
  const base = {
    eventKey: event.id,
    type: event.type,
    source,
    visitorExternalId: event.visitor_id,
    clickIds: event.click_ids,
    checkoutToken: null,
    orderRef: null,
    value: null,
    currency: null,
    name: null,
    url: stripUrl(event.url),
    referrer: event.referrer ? stripUrl(event.referrer) : null,
    customerRef: null,
    occurredAt: at,
  } satisfies EventRecord;
  switch (event.type) {
    case "page_view":
      return base;
    case "sign_up":
      return { ...base, customerRef: event.customer ? hashCustomerRef(event.customer) : null };
    case "purchase": {
      // A purchase is worth more for its join (checkout token, order, click ids) than for the value the
      // browser saw, which the order's webhook brings anyway: an amount out of range is dropped, not the event.
      let value: number | null = null;
      let dropped: DroppedField[] = [];
      if (event.value !== undefined && event.currency) {
        const amount = minorUnitsOrReason(event.value, event.currency);
        if (amount.ok) value = amount.minor;
        else dropped = [{ field: "value", reason: amount.reason }];
      }
      for (const d of dropped) onDrop(d);
      return {
        ...base,
        ...(dropped.length ? { dropped: JSON.stringify(dropped) } : {}),
        checkoutToken: event.checkout_token ?? event.order_key ?? null,
        orderRef: event.order_id ?? null,
        value,
        currency: event.currency ?? null,
      };
    }
    case "custom":
      return {
        ...base,
        name: event.name,
        value: event.value === undefined || !event.currency ? null : toMinorUnits(event.value, event.currency),
        currency: event.currency ?? null,
      };
  }
}
