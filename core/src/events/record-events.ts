import type { ConversionKind } from "../conversions/plan-attribution.ts";
import { settleConversions } from "../conversions/settle-conversions.ts";
import type { Db } from "../db/client.ts";
import { upsertRows } from "../db/insert-rows.ts";
import { inChunks } from "../db/sql.ts";
import { settleOrder } from "../orders/ingest-order.ts";
import type { EventRecord, EventSource } from "./event-record.ts";
import { type EventSink, eventRows, type StoredEvents, storedEvents } from "./event-rows.ts";

/**
 * Stores a batch of events, each once (the sender's id is the key), creating visitors as needed, through
 * Prisma (inside a transaction when `db` is one). Returns the events that were new, for the follow-up work
 * of conversions. The collector writes through a driver connection instead (openEventSink).
 */
export async function storeEvents(db: Db, storeId: string, records: readonly EventRecord[]): Promise<StoredEvents> {
  const rows = eventRows(storeId, records);
  const visitors = await upsertRows<{ id: string; externalId: string }>(db, "Visitor", rows.visitors, {
    conflict: ["storeId", "externalId"],
    update: ["lastSeenAt"],
    returning: ["id", "externalId"],
  });
  const visitorIds = new Map(visitors.map((v) => [v.externalId, v.id]));
  // The sender's id is unique per store: a replayed event conflicts and is skipped in the same statement,
  // and RETURNING says which ones were new.
  const inserted = await upsertRows<{ id: string; eventKey: string }>(
    db,
    "Event",
    rows.events.map(({ visitorExternalId, ...row }) => ({
      ...row,
      visitorId: visitorExternalId ? (visitorIds.get(visitorExternalId) ?? null) : null,
    })),
    { conflict: ["storeId", "eventKey"], returning: ["id", "eventKey"] },
  );
  return storedEvents(rows, inserted);
}

/** storeEvents as a sink: the portable fallback for the collector. */
export function prismaEventSink(db: Db): EventSink {
  return { store: (storeId, records) => storeEvents(db, storeId, records), close: async () => {} };
}

/**
 * What follows a stored event: a purchase re-attributes the order it joins (when the webhook came first);
 * a sign-up, lead or custom event is a conversion of its own.
 */
export async function processEvent(
  db: Db,
  storeId: string,
  record: EventRecord,
  eventId: string | null,
  now: Date,
): Promise<void> {
  if (record.type === "page_view") return;
  if (record.type === "purchase") {
    // A browser's purchase joins its order only by checkout token (or WooCommerce order key), never by the
    // guessable order id alone (see conversions/touches.ts).
    const joins = [
      ...(record.checkoutToken ? [{ checkoutToken: record.checkoutToken }] : []),
      ...(record.orderRef && record.source === "api" ? [{ externalId: record.orderRef }] : []),
    ];
    if (joins.length === 0) return;
    const order = await db.order.findFirst({ where: { storeId, OR: joins } });
    if (order) await settleOrder(db, storeId, order, "updated", now);
    return;
  }
  await recordEventConversion(db, storeId, record, eventId, now);
}

export async function recordEventConversion(
  db: Db,
  storeId: string,
  record: EventRecord,
  eventId: string | null,
  now: Date,
) {
  const kind: ConversionKind = record.type === "custom" ? "custom" : record.type === "lead" ? "lead" : "sign_up";
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId }, select: { currency: true } });
  const currency = record.currency ?? store.currency;
  const value = record.value ?? 0;
  // The same customer signing up twice is one conversion; the second is kept, as a duplicate.
  const duplicate =
    kind !== "custom" && record.customerRef !== null
      ? (await db.event.count({
          where: { storeId, type: record.type, customerRef: record.customerRef, eventKey: { not: record.eventKey } },
        })) > 0
      : false;
  const [conversion] = await settleConversions(
    db,
    storeId,
    [
      {
        source: {
          sourceKey: `event:${record.eventKey}`,
          kind,
          eventId,
          value,
          currency,
          occurredAt: record.occurredAt,
        },
        touches: {
          clickIds: record.clickIds,
          visitorExternalId: record.visitorExternalId,
          customerRef: record.customerRef,
          discountCodes: [],
          at: record.occurredAt,
        },
        facts: {
          kind,
          value,
          currency,
          occurredAt: record.occurredAt,
          isTest: false,
          customerEmailHash: record.customerRef,
          duplicate,
        },
        snapshot: { status: "confirmed", total: value, refunded: 0 },
      },
    ],
    now,
  );
  return conversion!.id;
}

/** Stores a batch and does each new event's follow-up work. */
export async function recordEvents(db: Db, storeId: string, records: readonly EventRecord[], now = new Date()) {
  const { stored, ids } = await storeEvents(db, storeId, records);
  for (const r of stored) await processEvent(db, storeId, r, ids.get(r.eventKey) ?? null, now);
  return { received: records.length, stored: stored.length };
}

/**
 * Follow-up work runs after the 202, so a process that dies in between leaves stored events without their
 * conversion. At start-up, redo it for recent events that should have one and do not (the work is
 * idempotent, so redoing one that did finish changes nothing).
 */
export async function recoverEventFollowUps(db: Db, now = new Date(), withinMs = 7 * 86_400_000): Promise<number> {
  const since = new Date(now.getTime() - withinMs);
  const events = await db.event.findMany({
    where: { type: { in: ["sign_up", "lead", "custom"] }, receivedAt: { gte: since } },
    orderBy: { receivedAt: "asc" },
    take: 5000,
  });
  let redone = 0;
  const byStore = new Map<string, typeof events>();
  for (const e of events) byStore.set(e.storeId, [...(byStore.get(e.storeId) ?? []), e]);
  for (const [storeId, list] of byStore) {
    const keys = list.map((e) => `event:${e.eventKey}`);
    // In slices: a store's week of sign-ups can be more than one statement may bind.
    const done = new Set(
      (
        await inChunks(keys, (chunk) =>
          db.conversion.findMany({ where: { storeId, sourceKey: { in: chunk } }, select: { sourceKey: true } }),
        )
      ).map((c) => c.sourceKey),
    );
    const missing = list.filter((e) => !done.has(`event:${e.eventKey}`));
    const visitorIds = [...new Set(missing.flatMap((e) => (e.visitorId ? [e.visitorId] : [])))];
    const visitors = new Map(
      (
        await inChunks(visitorIds, (chunk) =>
          db.visitor.findMany({ where: { storeId, id: { in: chunk } }, select: { id: true, externalId: true } }),
        )
      ).map((v) => [v.id, v.externalId]),
    );
    for (const e of missing) {
      await processEvent(db, storeId, fromRow(e, e.visitorId ? (visitors.get(e.visitorId) ?? null) : null), e.id, now);
      redone++;
    }
  }
  return redone;
}

function fromRow(
  row: Awaited<ReturnType<Db["event"]["findMany"]>>[number],
  visitorExternalId: string | null,
): EventRecord {
  return {
    eventKey: row.eventKey,
    type: row.type as EventRecord["type"],
    source: row.source as EventSource,
    visitorExternalId,
    clickIds: JSON.parse(row.clickIds) as string[],
    checkoutToken: row.checkoutToken,
    orderRef: row.orderRef,
    value: row.value === null ? null : Number(row.value),
    currency: row.currency,
    name: row.name,
    url: row.url,
    referrer: row.referrer,
    customerRef: row.customerRef,
    occurredAt: row.occurredAt,
    dropped: row.dropped,
  };
}
