import { conversionView } from "../conversions/conversion-store.ts";
import type { Db } from "../db/client.ts";
import type { EventRecord } from "../events/event-record.ts";
import { recordEventConversion, storeEvents } from "../events/record-events.ts";
import { reversedAmount } from "../metrics/definitions.ts";
import { itemsBase, itemsBaseOfLines } from "../orders/commission-base.ts";
import { ingestOrder } from "../orders/ingest-order.ts";
import type { OrderLine } from "../orders/normalized-order.ts";
import { hashCustomerRef } from "../shared/hashing.ts";
import { toMinorUnits } from "../shared/money.ts";
import type { ConversionItem, ConversionRequest, ConversionResponse } from "./conversion-schema.ts";

/** The request's items as order lines: each after its discount, its tax taken out where prices include it. */
export function itemsToLines(
  items: readonly ConversionItem[],
  currency: string,
  pricesIncludeTax: boolean,
): OrderLine[] {
  return items.map((item, i) => {
    const unitPrice = toMinorUnits(item.unit_price, currency);
    const discount = item.discount === undefined ? 0 : toMinorUnits(item.discount, currency);
    const tax = item.tax === undefined ? 0 : toMinorUnits(item.tax, currency);
    return {
      id: item.id ?? String(i + 1),
      productId: item.product_id ?? null,
      variantId: item.variant_id ?? null,
      sku: item.sku ?? null,
      collectionIds: item.collection_ids ?? [],
      quantity: item.quantity,
      unitPrice,
      discount,
      tax,
      amount: Math.max(0, unitPrice * item.quantity - discount - (pricesIncludeTax ? tax : 0)),
      giftCard: item.gift_card ?? false,
    };
  });
}

/**
 * A server-reported conversion goes through the same engine as webhooks and browser events: a purchase
 * becomes an order (confirmed: the server says it happened), anything else an event conversion.
 */
export async function recordApiConversion(
  db: Db,
  storeId: string,
  body: ConversionRequest,
  fallbackKey: string,
  now = new Date(),
): Promise<ConversionResponse> {
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId }, select: { currency: true } });
  const currency = body.currency ?? store.currency;
  const value = body.value === undefined ? 0 : toMinorUnits(body.value, currency);
  const occurredAt = new Date(body.occurred_at);
  const customerRef = body.customer_reference ? hashCustomerRef(body.customer_reference) : null;
  const record: EventRecord = {
    eventKey: body.type === "purchase" ? `api:purchase:${body.order_id}` : `api:${body.event_id ?? fallbackKey}`,
    type: body.type,
    source: "api",
    visitorExternalId: body.visitor_id ?? null,
    clickIds: body.click_id ? [body.click_id] : [],
    checkoutToken: null,
    orderRef: body.order_id ?? null,
    value,
    currency,
    name: body.name ?? null,
    url: null,
    referrer: null,
    customerRef,
    occurredAt,
  };
  const { ids } = await storeEvents(db, storeId, [record]);
  if (body.type === "purchase") {
    const lines = body.items ? itemsToLines(body.items, currency, body.prices_include_tax ?? false) : [];
    const result = await ingestOrder(
      db,
      storeId,
      {
        externalId: body.order_id!,
        status: "confirmed",
        currency,
        // The same commission base as every platform's (orders/commission-base.ts); value alone is both.
        total: body.items
          ? itemsBaseOfLines(lines)
          : body.items_total === undefined
            ? value
            : itemsBase([
                {
                  amount: toMinorUnits(body.items_total, currency),
                  tax: body.items_tax === undefined ? 0 : toMinorUnits(body.items_tax, currency),
                  taxIncluded: body.prices_include_tax ?? false,
                },
              ]),
        lines,
        orderTotal: value,
        customerRef,
        customerEmailHash: body.customer_reference?.includes("@") ? customerRef : null,
        clickIds: record.clickIds,
        discountCodes: body.discount_codes ?? [],
        placedAt: occurredAt,
        sourceUpdatedAt: occurredAt,
      },
      { now },
    );
    return toResponse(result.conversionId, result.status, result.commissions);
  }
  const eventId =
    ids.get(record.eventKey) ??
    (await db.event.findUnique({ where: { storeId_eventKey: { storeId, eventKey: record.eventKey } } }))?.id ??
    null;
  const conversionId = await recordEventConversion(db, storeId, record, eventId, now);
  const view = await conversionView(db, storeId, conversionId);
  return toResponse(conversionId, view.status === "new" ? "unattributed" : view.status, view.commissions);
}

function toResponse(
  conversionId: string,
  status: ConversionResponse["status"],
  commissions: {
    creatorId: string;
    campaignId: string;
    status: string;
    amount: number;
    original: number;
    currency: string;
    rule: string | null;
    reason: string | null;
  }[],
): ConversionResponse {
  return {
    conversion_id: conversionId,
    status,
    commissions: commissions.map((c) => ({
      creator_id: c.creatorId,
      campaign_id: c.campaignId,
      status: c.status as ConversionResponse["commissions"][number]["status"],
      amount: c.amount,
      original: c.original,
      reversed: reversedAmount(c),
      currency: c.currency,
      rule: c.rule,
      reason: c.reason,
    })),
  };
}
