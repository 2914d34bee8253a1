import { type Db, joinSql, sql } from "../db/client.ts";
import { DAY_MS, dayNumber } from "../db/day-number.ts";
import type { Prisma } from "../db/generated/sqlite/index.js";

// The admin's Overview reads the conversions of days that are over from a rollup (admin/conversion-rollup.ts),
// and those days keep changing: refunds, cancellations, approvals, payouts, late attribution. So every
// transaction that changes what a conversion counts for also records the conversion's day here, and commits it
// with the change; the next Overview covering that day computes it again. Rows are only added (one per
// transaction and day), never updated, so concurrent writers never wait on each other for them.
//
// A day that has not ended by the wall clock gets no row: the rollup takes a day only once it has been over by
// the wall clock for an hour (ROLLUP_GRACE_MS), far longer than a transaction that began during the day can
// still be running, so whatever changes today is in today's first rollup. Nearly every order and sign-up is of
// the current day, so ingestion pays for this only when it changes an older one.

type RawClient = { $executeRaw: (query: Prisma.Sql) => Promise<number> };

const CHUNK = 500;

function startOfToday(): Date {
  return new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
}

/** Records the days of these instants (conversions' occurredAt) that are over. */
export async function markDaysChanged(client: RawClient, storeId: string, instants: Iterable<Date>): Promise<void> {
  const today = startOfToday().getTime();
  const days = new Set<number>();
  for (const at of instants) if (at.getTime() < today) days.add(Math.floor(at.getTime() / DAY_MS));
  if (days.size === 0) return;
  const values = [...days].sort((a, b) => a - b).map((day) => sql`(${storeId}, ${day})`);
  await client.$executeRaw(sql`INSERT INTO "ConversionRollupStale" ("storeId", day) VALUES ${joinSql(values)}`);
}

/** Records the days (that are over) of these conversions. */
export async function markConversionsChanged(
  client: RawClient,
  db: Db,
  storeId: string,
  conversionIds: Iterable<string>,
): Promise<void> {
  const ids = [...new Set(conversionIds)];
  for (let i = 0; i < ids.length; i += CHUNK) {
    await client.$executeRaw(sql`
      INSERT INTO "ConversionRollupStale" ("storeId", day)
      SELECT DISTINCT "storeId", ${dayNumber(db, `"occurredAt"`)} FROM "Conversion"
      WHERE "storeId" = ${storeId} AND id IN (${joinSql(ids.slice(i, i + CHUNK))}) AND "occurredAt" < ${startOfToday()}`);
  }
}

/** Records the day (if over) of the conversion of an order, whose revenue follows the order's refunds and status. */
export async function markOrderChanged(client: RawClient, db: Db, storeId: string, externalId: string): Promise<void> {
  await client.$executeRaw(sql`
    INSERT INTO "ConversionRollupStale" ("storeId", day)
    SELECT "storeId", ${dayNumber(db, `"occurredAt"`)} FROM "Conversion"
    WHERE "storeId" = ${storeId} AND "sourceKey" = ${`order:${externalId}`} AND "occurredAt" < ${startOfToday()}`);
}
