import pg from "pg";
import { EVENT_COLUMNS, type EventSink, eventRows, quoted, storedEvents, VISITOR_COLUMNS } from "./event-rows.ts";

// Visitors and events of a group in one statement (a data-modifying CTE is atomic), with one array
// parameter per column so the statement text is the same for every group size and is prepared once per
// connection. The CTE's RETURNING includes visitors that already existed (DO UPDATE), so every event finds
// its visitor's id.
const TEXT =
  `WITH v AS (INSERT INTO "Visitor" (${quoted(VISITOR_COLUMNS)}) ` +
  "SELECT * FROM unnest($1::text[],$2::text[],$3::text[],$4::timestamp(3)[],$5::timestamp(3)[]) " +
  `ON CONFLICT ("storeId","externalId") DO UPDATE SET "lastSeenAt" = excluded."lastSeenAt" RETURNING "id","externalId") ` +
  `INSERT INTO "Event" (${quoted(EVENT_COLUMNS)}) ` +
  'SELECT e.id, e.store, e.key, e.type, e.source, v."id", e.clicks, e.checkout, e.ord, e.value, e.currency, e.name, ' +
  "e.url, e.referrer, e.customer, e.occurred, e.received FROM unnest($6::text[],$7::text[],$8::text[],$9::text[]," +
  "$10::text[],$11::text[],$12::text[],$13::text[],$14::text[],$15::bigint[],$16::text[],$17::text[],$18::text[]," +
  "$19::text[],$20::text[],$21::timestamp(3)[],$22::timestamp(3)[]) AS e(id, store, key, type, source, visitor, " +
  "clicks, checkout, ord, value, currency, name, url, referrer, customer, occurred, received) " +
  'LEFT JOIN v ON v."externalId" = e.visitor ' +
  `ON CONFLICT ("storeId","eventKey") DO NOTHING RETURNING "id","eventKey"`;

/** The collector's writes on a small pg pool of its own. PostgreSQL commits durably before answering. */
export function postgresEventSink(url: string, maxConnections = 4): EventSink {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  // An idle pooled connection that fails must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  return {
    async store(storeId, records) {
      const rows = eventRows(storeId, records);
      const columns: unknown[][] = Array.from({ length: 22 }, () => []);
      for (const r of rows.visitors) {
        // ISO strings cast to timestamp keep the UTC wall time, as Prisma stores it, whatever the session zone.
        const row = [r.id, r.storeId, r.externalId, r.firstSeenAt.toISOString(), r.lastSeenAt.toISOString()];
        for (let i = 0; i < 5; i++) columns[i]!.push(row[i]);
      }
      for (const r of rows.events) {
        const row = [
          r.id,
          r.storeId,
          r.eventKey,
          r.type,
          r.source,
          r.visitorExternalId,
          r.clickIds,
          r.checkoutToken,
          r.orderRef,
          r.value === null ? null : String(r.value),
          r.currency,
          r.name,
          r.url,
          r.referrer,
          r.customerRef,
          r.occurredAt.toISOString(),
          r.receivedAt.toISOString(),
        ];
        for (let i = 0; i < 17; i++) columns[5 + i]!.push(row[i]);
      }
      const result = await pool.query<{ id: string; eventKey: string }>({
        name: "trailmark_event_insert",
        text: TEXT,
        values: columns,
      });
      return storedEvents(rows, result.rows);
    },
    close: () => pool.end(),
  };
}
