import type { ConversionFacts, ConversionKind } from "../conversions/plan-attribution.ts";
import { type ResolvedTouch, resolveTouchesBatch, type TouchQuery } from "../conversions/touches.ts";
import type { Db } from "../db/client.ts";
import { inChunks } from "../db/sql.ts";
import { parseJson, toSafeNumber } from "../shared/db-errors.ts";

// What attribution saw for stored conversions: the same touch queries and facts ingestion builds (from the
// order, or from the browser/API event), so the journey and the model comparison look at exactly the touches
// attribution would look at today.

export interface ConversionRow {
  id: string;
  kind: string;
  orderId: string | null;
  eventId: string | null;
  value: bigint | number;
  currency: string;
  occurredAt: Date;
  rejectRule: string | null;
}

export interface ConversionInput {
  conversionId: string;
  query: TouchQuery;
  facts: ConversionFacts;
  /** The browser visitors the conversion is linked to (internal visitor ids), for page views. */
  visitorIds: string[];
}

export async function conversionInputs(
  db: Db,
  storeId: string,
  conversions: readonly ConversionRow[],
): Promise<ConversionInput[]> {
  const orderIds = conversions.flatMap((c) => (c.orderId ? [c.orderId] : []));
  const eventIds = conversions.flatMap((c) => (c.eventId ? [c.eventId] : []));
  const [orders, events] = await Promise.all([
    inChunks(orderIds, (ids) => db.order.findMany({ where: { storeId, id: { in: ids } } })),
    inChunks(eventIds, (ids) => db.event.findMany({ where: { storeId, id: { in: ids } } })),
  ]);
  const orderById = new Map(orders.map((o) => [o.id, o]));
  const eventById = new Map(events.map((e) => [e.id, e]));
  const visitorRowIds = [...new Set(events.flatMap((e) => (e.visitorId ? [e.visitorId] : [])))];
  const visitors = await inChunks(visitorRowIds, (ids) =>
    db.visitor.findMany({ where: { storeId, id: { in: ids } }, select: { id: true, externalId: true } }),
  );
  const externalOf = new Map(visitors.map((v) => [v.id, v.externalId]));

  // Purchase events joined to orders by checkout token or order id: their visitors browsed before buying.
  const tokens = [...new Set(orders.flatMap((o) => (o.checkoutToken ? [o.checkoutToken] : [])))];
  const refs = [...new Set(orders.map((o) => o.externalId))];
  const purchaseEvents = [
    ...(await inChunks(tokens, (chunk) =>
      db.event.findMany({
        where: { storeId, type: "purchase", visitorId: { not: null }, checkoutToken: { in: chunk } },
        select: { visitorId: true, checkoutToken: true, orderRef: true },
      }),
    )),
    ...(await inChunks(refs, (chunk) =>
      db.event.findMany({
        // By order id only for the API's events: a browser's joins by checkout token alone (resolveTouchesBatch).
        where: { storeId, type: "purchase", source: "api", visitorId: { not: null }, orderRef: { in: chunk } },
        select: { visitorId: true, checkoutToken: true, orderRef: true },
      }),
    )),
  ];

  const inputs: ConversionInput[] = [];
  for (const c of conversions) {
    const kind = c.kind as ConversionKind;
    const order = c.orderId ? orderById.get(c.orderId) : undefined;
    const event = c.eventId ? eventById.get(c.eventId) : undefined;
    if (order) {
      const visitorIds = purchaseEvents
        .filter(
          (e) => (order.checkoutToken && e.checkoutToken === order.checkoutToken) || e.orderRef === order.externalId,
        )
        .flatMap((e) => (e.visitorId ? [e.visitorId] : []));
      inputs.push({
        conversionId: c.id,
        query: {
          clickIds: parseJson<string[]>(order.clickIds, []),
          checkoutToken: order.checkoutToken,
          orderRef: order.externalId,
          discountCodes: parseJson<string[]>(order.discountCodes, []),
          at: order.placedAt,
        },
        facts: {
          kind: "purchase",
          value: toSafeNumber(order.total),
          orderTotal: toSafeNumber(order.orderTotal),
          currency: order.currency,
          occurredAt: order.placedAt,
          isTest: order.isTest,
          customerEmailHash: order.customerEmailHash,
          duplicate: false,
        },
        visitorIds: [...new Set(visitorIds)],
      });
      continue;
    }
    inputs.push({
      conversionId: c.id,
      query: {
        clickIds: event ? parseJson<string[]>(event.clickIds, []) : [],
        visitorExternalId: event?.visitorId ? (externalOf.get(event.visitorId) ?? null) : null,
        customerRef: event?.customerRef ?? null,
        discountCodes: [],
        at: c.occurredAt,
      },
      facts: {
        kind,
        value: toSafeNumber(c.value),
        currency: c.currency,
        occurredAt: c.occurredAt,
        isTest: false,
        customerEmailHash: event?.customerRef ?? null,
        duplicate: c.rejectRule === "duplicate",
      },
      visitorIds: event?.visitorId ? [event.visitorId] : [],
    });
  }
  return inputs;
}

/** Touches for each input, with the same resolution ingestion uses. */
export async function touchesFor(
  db: Db,
  storeId: string,
  inputs: readonly ConversionInput[],
): Promise<ResolvedTouch[][]> {
  const out: ResolvedTouch[][] = [];
  // resolveTouchesBatch keeps each IN (...) list bounded per batch.
  for (let i = 0; i < inputs.length; i += 200) {
    out.push(
      ...(await resolveTouchesBatch(
        db,
        storeId,
        inputs.slice(i, i + 200).map((x) => x.query),
      )),
    );
  }
  return out;
}
