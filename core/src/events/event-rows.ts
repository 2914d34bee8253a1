import { newOrderedId } from "../shared/ordered-ids.ts";
import type { EventRecord } from "./event-record.ts";

// The rows a batch of events becomes, worked out once for every way of writing them (Prisma, or a
// driver connection of the collector's own): each event once (the sender's id is the key within a
// store), each visitor the batch names with its first sighting.

export interface VisitorRow {
  id: string;
  storeId: string;
  externalId: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** An Event row as inserted: the record's fields, click ids as JSON, the visitor still by external id. */
export interface EventRow extends Omit<EventRecord, "clickIds" | "dropped"> {
  id: string;
  storeId: string;
  clickIds: string;
  receivedAt: Date;
  dropped: string | null;
}

export interface EventRows {
  /** The batch without repeated event keys (the first of each wins). */
  unique: EventRecord[];
  visitors: VisitorRow[];
  events: EventRow[];
}

/** What a sink returns: the events that were new (not stored before), and the row id of each by event key. */
export interface StoredEvents {
  stored: EventRecord[];
  ids: Map<string, string>;
}

/** Stores batches of events and their visitors. */
export interface EventSink {
  store(storeId: string, records: readonly EventRecord[]): Promise<StoredEvents>;
  close(): Promise<void>;
}

export function eventRows(storeId: string, records: readonly EventRecord[], now = new Date()): EventRows {
  const byKey = new Map<string, EventRecord>();
  for (const r of records) if (!byKey.has(r.eventKey)) byKey.set(r.eventKey, r);
  const unique = [...byKey.values()];
  const nowMs = now.getTime();
  const firstSeen = new Map<string, Date>();
  for (const r of unique) {
    if (!r.visitorExternalId) continue;
    const seen = firstSeen.get(r.visitorExternalId);
    if (!seen || r.occurredAt < seen) firstSeen.set(r.visitorExternalId, r.occurredAt);
  }
  const visitors: VisitorRow[] = [];
  for (const [externalId, at] of firstSeen) {
    visitors.push({ id: newOrderedId("vi", nowMs), storeId, externalId, firstSeenAt: at, lastSeenAt: now });
  }
  const events = unique.map(
    (r): EventRow => ({
      ...r,
      id: newOrderedId("ev", nowMs),
      storeId,
      clickIds: JSON.stringify(r.clickIds),
      receivedAt: now,
      dropped: r.dropped ?? null,
    }),
  );
  return { unique, visitors, events };
}

/** The columns of Event in the order the driver sinks bind them (visitorId is resolved from visitorExternalId). */
export const EVENT_COLUMNS = [
  "id",
  "storeId",
  "eventKey",
  "type",
  "source",
  "visitorId",
  "clickIds",
  "checkoutToken",
  "orderRef",
  "value",
  "currency",
  "name",
  "url",
  "referrer",
  "customerRef",
  "occurredAt",
  "receivedAt",
  "dropped",
] as const;

export const VISITOR_COLUMNS = ["id", "storeId", "externalId", "firstSeenAt", "lastSeenAt"] as const;

export const quoted = (columns: readonly string[]) => columns.map((c) => `"${c}"`).join(",");

export function storedEvents(rows: EventRows, inserted: readonly { id: string; eventKey: string }[]): StoredEvents {
  const ids = new Map(inserted.map((r) => [r.eventKey, r.id]));
  return { stored: rows.unique.filter((r) => ids.has(r.eventKey)), ids };
}
