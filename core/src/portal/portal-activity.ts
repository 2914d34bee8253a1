import { closedDays, rollUpClicks } from "../admin/click-rollup.ts";
import { rollUpConversions } from "../admin/conversion-rollup.ts";
import { num } from "../admin/sql.ts";
import { type Db, sql } from "../db/client.ts";
import { DAY_MS, dayNumber } from "../db/day-number.ts";
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
  if (rolledTo > fromDay) {
    await rollUpClicks(db, storeId, fromDay, rolledTo, asOf);
    await rollUpConversions(db, storeId, fromDay, rolledTo, asOf);
  }
  const liveFrom = new Date(rolledTo * DAY_MS);
  const liveTo = new Date(toDay * DAY_MS);
  const earned = sql`SUM(CASE WHEN cm.status IN ('pending', 'approved', 'paid') THEN cm.amount ELSE 0 END)`;
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
          SELECT day, currency, SUM(conversions) AS n, CAST(SUM(pending + approved + paid) AS BIGINT) AS earned
          FROM "ConversionRollup"
          WHERE "storeId" = ${storeId} AND day >= ${fromDay} AND day < ${rolledTo} AND "creatorId" = ${creatorId}
          GROUP BY day, currency`)
      : [],
    db.$queryRaw<{ day: unknown; n: unknown }[]>(sql`
      SELECT ${dayNumber(db, `"occurredAt"`)} AS day, COUNT(*) AS n FROM "Click"
      WHERE "storeId" = ${storeId} AND "occurredAt" >= ${liveFrom} AND "occurredAt" < ${liveTo}
        AND "creatorId" = ${creatorId} AND qualification = 'qualified'
      GROUP BY 1`),
    db.$queryRaw<{ day: unknown; currency: string; n: unknown; earned: unknown }[]>(sql`
      SELECT ${dayNumber(db, `c."occurredAt"`)} AS day, cm.currency, COUNT(*) AS n, CAST(${earned} AS BIGINT) AS earned
      FROM "Conversion" c JOIN "Commission" cm ON cm."conversionId" = c.id
      WHERE c."storeId" = ${storeId} AND c."occurredAt" >= ${liveFrom} AND c."occurredAt" < ${liveTo}
        AND c.status = 'attributed' AND cm."storeId" = ${storeId} AND cm."creatorId" = ${creatorId}
      GROUP BY 1, 2`),
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
