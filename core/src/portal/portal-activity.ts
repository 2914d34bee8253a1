import { closedDays, dayRuns, rollUpClicks } from "../admin/click-rollup.ts";
import { rollUpConversions } from "../admin/conversion-rollup.ts";
import { type Db, joinSql, sql } from "../db/client.ts";
import { DAY_MS, dayNumber } from "../db/day-number.ts";
import { empty, num } from "../db/sql.ts";
import type { PortalCreator } from "./portal-data.ts";

// One creator's daily clicks, conversions and earnings at one store, for the Overview's chart. Closed days come
// from the admin's daily rollups (a store may have a million clicks), brought up to date the same way the
// admin's Overview does; the days not yet closed are counted live, for this creator only.

export const ACTIVITY_RANGES = [7, 30, 90] as const;
export type ActivityRange = (typeof ACTIVITY_RANGES)[number];

export interface ActivityDay {
  day: number;
  clicks: number;
  conversions: number;
  /** Pending, approved and paid commissions of the day's conversions, per currency. */
  earnings: Record<string, number>;
}

export async function creatorActivity(
  db: Db,
  creator: Pick<PortalCreator, "storeId" | "creatorId">,
  range: ActivityRange,
  now: Date,
): Promise<ActivityDay[]> {
  const { storeId, creatorId } = creator;
  const toDay = Math.floor(now.getTime() / DAY_MS) + 1;
  const fromDay = toDay - range;
  const days = new Map<number, ActivityDay>();
  for (let d = fromDay; d < toDay; d++) days.set(d, { day: d, clicks: 0, conversions: 0, earnings: {} });
  // Rollups only hold days that are over by the wall clock too, whatever `now` says.
  const asOf = new Date(Math.min(now.getTime(), Date.now()));
  const closed = closedDays(fromDay, toDay, asOf);
  const rolledTo = fromDay + closed.length;
  let staleDays: number[] = [];
  if (rolledTo > fromDay) {
    await rollUpClicks(db, storeId, fromDay, rolledTo, asOf);
    const [marked, stale] = await Promise.all([
      db.conversionRollupDay.count({ where: { storeId, day: { gte: fromDay, lt: rolledTo } } }),
      db.conversionRollupStale.findMany({
        where: { storeId, day: { gte: fromDay, lt: rolledTo } },
        select: { day: true },
        distinct: ["day"],
      }),
    ]);
    // Days never rolled up are rolled up once, as the admin's Overview would. Days changed since (a refund, a
    // payout) are left for the admin to roll up again: this creator's share of them is counted live, which
    // costs a few hundred rows instead of recomputing every creator's day.
    if (marked < closed.length) await rollUpConversions(db, storeId, fromDay, rolledTo, asOf);
    else staleDays = stale.map((s) => s.day);
  }
  const liveRanges = dayRuns([...staleDays, ...Array.from({ length: toDay - rolledTo }, (_, i) => rolledTo + i)]).map(
    ([a, b]) => sql`(c."occurredAt" >= ${new Date(a * DAY_MS)} AND c."occurredAt" < ${new Date((b + 1) * DAY_MS)})`,
  );
  const liveFrom = new Date(rolledTo * DAY_MS);
  const liveTo = new Date(toDay * DAY_MS);
  const [rolledClicks, rolledConversions, liveClicks, liveConversions] = await Promise.all([
    rolledTo > fromDay
      ? db.$queryRaw<{ day: unknown; n: unknown }[]>(sql`
          SELECT day, SUM(clicks) AS n FROM "ClickRollup"
          WHERE "storeId" = ${storeId} AND day >= ${fromDay} AND day < ${rolledTo}
            AND "creatorId" = ${creatorId} AND qualification = 'qualified'
          GROUP BY day`)
      : [],
    rolledTo > fromDay
      ? db.$queryRaw<{ day: unknown; currency: string; n: unknown; earned: unknown }[]>(sql`
          SELECT day, currency, SUM(purchases + "signUps") AS n, CAST(SUM(pending + approved + paid) AS BIGINT) AS earned
          FROM "ConversionRollup"
          WHERE "storeId" = ${storeId} AND day >= ${fromDay} AND day < ${rolledTo} AND "creatorId" = ${creatorId}
            ${staleDays.length > 0 ? sql`AND day NOT IN (${joinSql(staleDays)})` : empty}
          GROUP BY day, currency`)
      : [],
    liveFrom < liveTo
      ? db.$queryRaw<{ day: unknown; n: unknown }[]>(sql`
          SELECT ${dayNumber(db, `"occurredAt"`)} AS day, COUNT(*) AS n FROM "Click"
          WHERE "storeId" = ${storeId} AND "occurredAt" >= ${liveFrom} AND "occurredAt" < ${liveTo}
            AND "creatorId" = ${creatorId} AND qualification = 'qualified'
          GROUP BY 1`)
      : [],
    // Counted as the admin counts them (metrics/definitions.ts, and the rollup's purchases and sign-ups): a
    // purchase whose order was neither cancelled nor refunded in full, or a sign-up; and the pending, approved
    // and paid commissions of every conversion of the day.
    liveRanges.length > 0
      ? db.$queryRaw<{ day: unknown; currency: string; n: unknown; earned: unknown }[]>(sql`
          SELECT day, currency, SUM(n) AS n, CAST(SUM(earned) AS BIGINT) AS earned FROM (
            SELECT ${dayNumber(db, `c."occurredAt"`)} AS day, c.currency,
              CASE WHEN c.status <> 'attributed' THEN 0
                WHEN c.kind IN ('sign_up', 'lead') THEN 1
                WHEN c.kind <> 'purchase' THEN 0
                WHEN o.id IS NULL THEN 1
                WHEN o.status = 'reversed' OR (o.total > 0 AND o.refunded >= o.total) THEN 0
                ELSE 1 END AS n,
              CASE WHEN cm.status IN ('pending', 'approved', 'paid') THEN cm.amount ELSE 0 END AS earned
            FROM "Conversion" c
            JOIN "Commission" cm ON cm."conversionId" = c.id AND cm."storeId" = ${storeId} AND cm."creatorId" = ${creatorId}
            LEFT JOIN "Order" o ON o.id = c."orderId" AND o."storeId" = ${storeId}
            WHERE c."storeId" = ${storeId} AND (${joinSql(liveRanges, " OR ")})
          ) x GROUP BY day, currency`)
      : [],
  ]);
  for (const r of [...rolledClicks, ...liveClicks]) {
    const d = days.get(num(r.day));
    if (d) d.clicks += num(r.n);
  }
  for (const r of [...rolledConversions, ...liveConversions]) {
    const d = days.get(num(r.day));
    if (!d) continue;
    d.conversions += num(r.n);
    d.earnings[r.currency] = (d.earnings[r.currency] ?? 0) + num(r.earned);
  }
  return [...days.values()];
}
