import { chunkedStatement, openSqliteWriter, whenNotBusy } from "../db/sqlite-batch.ts";
import {
  EVENT_COLUMNS,
  type EventRow,
  type EventRows,
  type EventSink,
  eventRows,
  quoted,
  storedEvents,
  VISITOR_COLUMNS,
  type VisitorRow,
} from "./event-rows.ts";

/**
 * The collector's writes on a better-sqlite3 connection of its own, like the click writer's: a group's
 * visitors and events in one transaction of prepared multi-row statements. Through Prisma the same two
 * statements cost several times the insert itself in query compilation.
 */
export function sqliteEventSink(path: string): EventSink {
  const connection = openSqliteWriter(path);
  const upsertVisitors = chunkedStatement<VisitorRow>(
    connection,
    (tuples) =>
      `INSERT INTO "Visitor" (${quoted(VISITOR_COLUMNS)}) VALUES ${tuples} ON CONFLICT ("storeId","externalId") ` +
      `DO UPDATE SET "lastSeenAt" = excluded."lastSeenAt" RETURNING "id","externalId"`,
    VISITOR_COLUMNS.length,
    (r, values, v) => {
      values[v] = r.id;
      values[v + 1] = r.storeId;
      values[v + 2] = r.externalId;
      // Prisma's SQLite adapter uses timestampFormat "unixepoch-ms": DateTime columns hold epoch ms.
      values[v + 3] = r.firstSeenAt.getTime();
      values[v + 4] = r.lastSeenAt.getTime();
    },
  );
  let visitorIds = new Map<string, string>();
  const insertEvents = chunkedStatement<EventRow>(
    connection,
    (tuples) =>
      `INSERT INTO "Event" (${quoted(EVENT_COLUMNS)}) VALUES ${tuples} ` +
      `ON CONFLICT ("storeId","eventKey") DO NOTHING RETURNING "id","eventKey"`,
    EVENT_COLUMNS.length,
    (r, values, v) => {
      values[v] = r.id;
      values[v + 1] = r.storeId;
      values[v + 2] = r.eventKey;
      values[v + 3] = r.type;
      values[v + 4] = r.source;
      values[v + 5] = r.visitorExternalId === null ? null : (visitorIds.get(r.visitorExternalId) ?? null);
      values[v + 6] = r.clickIds;
      values[v + 7] = r.checkoutToken;
      values[v + 8] = r.orderRef;
      values[v + 9] = r.value;
      values[v + 10] = r.currency;
      values[v + 11] = r.name;
      values[v + 12] = r.url;
      values[v + 13] = r.referrer;
      values[v + 14] = r.customerRef;
      values[v + 15] = r.occurredAt.getTime();
      values[v + 16] = r.receivedAt.getTime();
      values[v + 17] = r.dropped;
    },
  );
  const write = connection.transaction((rows: EventRows) => {
    visitorIds = new Map(
      upsertVisitors.all<{ id: string; externalId: string }>(rows.visitors).map((v) => [v.externalId, v.id]),
    );
    return insertEvents.all<{ id: string; eventKey: string }>(rows.events);
  });
  return {
    async store(storeId, records) {
      const rows = eventRows(storeId, records);
      return storedEvents(rows, await whenNotBusy(() => write(rows)));
    },
    async close() {
      connection.close();
    },
  };
}
