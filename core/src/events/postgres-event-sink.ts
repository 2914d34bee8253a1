import pg from "pg";
import { EVENT_COLUMNS, type EventSink, eventRows, quoted, storedEvents, VISITOR_COLUMNS } from "./event-rows.ts";

// Visitors and events of a group in one statement (a data-modifying CTE is atomic), with one array
// parameter per column so the statement text is the same for every group size and is prepared once per
// connection. What is the same for the whole group (the store, the time it was received, which is every
// visitor's lastSeenAt) is one scalar parameter instead of an array of copies: fewer values to serialize
// and for the server to parse. The CTE's RETURNING includes visitors that already existed (DO UPDATE), so
// every event finds its visitor's id.
const TEXT =
  `WITH v AS (INSERT INTO "Visitor" (${quoted(VISITOR_COLUMNS)}) ` +
  "SELECT i.id, $1::text, i.external, i.first, $2::timestamp(3) " +
  "FROM unnest($3::text[],$4::text[],$5::timestamp(3)[]) AS i(id, external, first) " +
  `ON CONFLICT ("storeId","externalId") DO UPDATE SET "lastSeenAt" = excluded."lastSeenAt" RETURNING "id","externalId") ` +
  `INSERT INTO "Event" (${quoted(EVENT_COLUMNS)}) ` +
  'SELECT e.id, $1::text, e.key, e.type, e.source, v."id", e.clicks, e.checkout, e.ord, e.value, e.currency, e.name, ' +
  "e.url, e.referrer, e.customer, e.occurred, $2::timestamp(3), e.dropped FROM unnest($6::text[],$7::text[]," +
  "$8::text[],$9::text[],$10::text[],$11::text[],$12::text[],$13::text[],$14::bigint[],$15::text[],$16::text[]," +
  "$17::text[],$18::text[],$19::text[],$20::timestamp(3)[],$21::text[]) AS e(id, key, type, source, visitor, " +
  "clicks, checkout, ord, value, currency, name, url, referrer, customer, occurred, dropped) " +
  'LEFT JOIN v ON v."externalId" = e.visitor ' +
  `ON CONFLICT ("storeId","eventKey") DO NOTHING RETURNING "id","eventKey"`;

/** The collector's writes on a small pg pool of its own. PostgreSQL commits durably before answering. */
export function postgresEventSink(url: string, maxConnections = 4): EventSink {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  // An idle pooled connection that fails must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  return {
    async store(storeId, records) {
      const now = new Date();
      const rows = eventRows(storeId, records, now);
      const n = rows.events.length;
      const visitorIds: string[] = [];
      const externals: string[] = [];
      const firstSeen: string[] = [];
      for (const r of rows.visitors) {
        visitorIds.push(r.id);
        externals.push(r.externalId);
        // ISO strings cast to timestamp keep the UTC wall time, as Prisma stores it, whatever the session zone.
        firstSeen.push(r.firstSeenAt.toISOString());
      }
      const columns: unknown[][] = Array.from({ length: 16 }, () => new Array(n));
      for (let i = 0; i < n; i++) {
        const r = rows.events[i]!;
        columns[0]![i] = r.id;
        columns[1]![i] = r.eventKey;
        columns[2]![i] = r.type;
        columns[3]![i] = r.source;
        columns[4]![i] = r.visitorExternalId;
        columns[5]![i] = r.clickIds;
        columns[6]![i] = r.checkoutToken;
        columns[7]![i] = r.orderRef;
        columns[8]![i] = r.value === null ? null : String(r.value);
        columns[9]![i] = r.currency;
        columns[10]![i] = r.name;
        columns[11]![i] = r.url;
        columns[12]![i] = r.referrer;
        columns[13]![i] = r.customerRef;
        columns[14]![i] = r.occurredAt.toISOString();
        columns[15]![i] = r.dropped;
      }
      const result = await pool.query<{ id: string; eventKey: string }>({
        name: "trailmark_event_insert_v3",
        text: TEXT,
        values: [storeId, now.toISOString(), visitorIds, externals, firstSeen, ...columns],
      });
      return storedEvents(rows, result.rows);
    },
    close: () => pool.end(),
  };
}
