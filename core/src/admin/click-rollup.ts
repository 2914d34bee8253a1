import { type Db, sql } from "../db/client.ts";
import { andIf, dayNumber, inChunks, join, num, raw, type Sql } from "../db/sql.ts";

// Daily click counts for the Overview. A store can have a million clicks; counting them per page load is too
// slow, and the click path (group-committed inserts) is too hot to keep counters on. So the admin rolls a day
// up the first time it is asked for it once the day is over: one INSERT … SELECT … GROUP BY per run of missing
// days, idempotent (ON CONFLICT DO NOTHING) so concurrent loaders cannot double count, and a marker row per
// day, even a day without clicks. The current day (and the grace period after midnight, for clicks still being
// written) is always counted live.

const DAY_MS = 86_400_000;
/** How long after a UTC day ends before its clicks are taken as final. */
export const ROLLUP_GRACE_MS = 60 * 60_000;

/** Days in [fromDay, toDay) that are over, given the grace period. */
export function closedDays(fromDay: number, toDay: number, now: Date): number[] {
  const out: number[] = [];
  for (let d = fromDay; d < toDay; d++) if ((d + 1) * DAY_MS + ROLLUP_GRACE_MS <= now.getTime()) out.push(d);
  return out;
}

/** Runs of consecutive days, as [first, last] pairs. */
export function dayRuns(days: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const d of [...days].sort((a, b) => a - b)) {
    const last = runs.at(-1);
    if (last && d === last[1] + 1) last[1] = d;
    else runs.push([d, d]);
  }
  return runs;
}

/**
 * Rolls up the closed days of [fromDay, toDay) that are not yet; returns the days rolled up by this call.
 * Every day of the range that is rolled up afterwards has a marker.
 */
export async function rollUpClicks(db: Db, storeId: string, fromDay: number, toDay: number, now = new Date()) {
  const closed = closedDays(fromDay, toDay, now);
  if (closed.length === 0) return [];
  const marked = await db.clickRollupDay.findMany({
    where: { storeId, day: { gte: closed[0]!, lte: closed.at(-1)! } },
    select: { day: true },
  });
  const done = new Set(marked.map((m) => m.day));
  const missing = closed.filter((d) => !done.has(d));
  for (const [first, last] of dayRuns(missing)) {
    await db.$executeRaw(sql`
      INSERT INTO "ClickRollup" ("storeId", day, "campaignId", "creatorId", qualification, clicks)
      SELECT "storeId", ${dayNumber(db, `"occurredAt"`)}, "campaignId", "creatorId", qualification, COUNT(*)
      FROM "Click"
      WHERE "storeId" = ${storeId} AND "occurredAt" >= ${new Date(first * DAY_MS)} AND "occurredAt" < ${new Date((last + 1) * DAY_MS)}
      GROUP BY 1, 2, 3, 4, 5
      ON CONFLICT DO NOTHING`);
    const days = Array.from({ length: last - first + 1 }, (_, i) => first + i);
    for (let i = 0; i < days.length; i += 200) {
      const values = days.slice(i, i + 200).map((d) => sql`(${storeId}, ${d}, ${now})`);
      await db.$executeRaw(
        sql`INSERT INTO "ClickRollupDay" ("storeId", day, "createdAt") VALUES ${joinValues(values)} ON CONFLICT DO NOTHING`,
      );
    }
  }
  return missing;
}

function joinValues(values: ReturnType<typeof sql>[]) {
  return values.reduce((acc, v, i) => (i === 0 ? v : sql`${acc}, ${v}`));
}

/** Which clicks count: one campaign's, one creator's, both or all (null). */
export interface ScopeQuery {
  campaignId?: string | null;
  creatorId?: string | null;
}
export type Scope = { campaignId: string | null; creatorId: string | null };

export function scopeOf(q: ScopeQuery): Scope {
  return { campaignId: q.campaignId || null, creatorId: q.creatorId || null };
}

/** The scope as conditions on a table's "campaignId" and "creatorId", prefixed by `alias.` when given. */
export function scopeSql(scope: Scope, alias = ""): Sql {
  const column = (name: string) => raw(alias ? `${alias}."${name}"` : `"${name}"`);
  return sql`${andIf(scope.campaignId, sql`${column("campaignId")} = ${scope.campaignId}`)}${andIf(
    scope.creatorId,
    sql`${column("creatorId")} = ${scope.creatorId}`,
  )}`;
}

export interface ClickCount {
  day: number;
  creatorId: string;
  qualification: string;
  clicks: number;
}

/**
 * Which days of [from, to) to read from the rollup ([fromDay, liveFrom), rolled up first when needed) and which
 * to count from Click (the rest: today, the grace period, a day being rolled up elsewhere). A range that does
 * not start and end at midnight is counted live whole (liveFrom null).
 */
async function rolledPart(
  db: Db,
  storeId: string,
  range: { from: Date; to: Date },
  now: Date,
): Promise<{ fromDay: number; liveFrom: number | null }> {
  const fromDay = Math.floor(range.from.getTime() / DAY_MS);
  const toDay = Math.ceil(range.to.getTime() / DAY_MS);
  const aligned = range.from.getTime() % DAY_MS === 0 && range.to.getTime() % DAY_MS === 0;
  if (!aligned) return { fromDay, liveFrom: null };
  await rollUpClicks(db, storeId, fromDay, toDay, now);
  const marked = new Set(
    (
      await db.clickRollupDay.findMany({
        where: { storeId, day: { gte: fromDay, lt: toDay } },
        select: { day: true },
      })
    ).map((m) => m.day),
  );
  let liveFrom = fromDay;
  while (liveFrom < toDay && marked.has(liveFrom)) liveFrom++;
  return { fromDay, liveFrom };
}

/** Clicks per day, creator and quality in [from, to). */
export async function clickCounts(
  db: Db,
  storeId: string,
  range: { from: Date; to: Date } & ScopeQuery,
  now = new Date(),
): Promise<ClickCount[]> {
  const scope = scopeOf(range);
  const { fromDay, liveFrom } = await rolledPart(db, storeId, range, now);
  if (liveFrom === null) return liveCounts(db, storeId, range.from, range.to, scope);
  const [rolled, live] = await Promise.all([
    liveFrom > fromDay ? rolledCounts(db, storeId, fromDay, liveFrom, scope, ["day", "creatorId"]) : [],
    liveFrom * DAY_MS < range.to.getTime() ? liveCounts(db, storeId, new Date(liveFrom * DAY_MS), range.to, scope) : [],
  ]);
  return [...rolled.map((r) => ({ ...r, day: r.day!, creatorId: r.creatorId! })), ...live];
}

export interface ClickTotals {
  byDay: { day: number; qualification: string; clicks: number }[];
  byCreator: { creatorId: string; qualification: string; clicks: number }[];
}

/**
 * Clicks in [from, to) per day and quality, and per creator and quality: what the Overview draws. Two small
 * groupings instead of one per day and creator, since a 90-day range has some 13,000 of those.
 */
export async function clickTotals(
  db: Db,
  storeId: string,
  range: { from: Date; to: Date } & ScopeQuery,
  now = new Date(),
): Promise<ClickTotals> {
  const scope = scopeOf(range);
  const { fromDay, liveFrom } = await rolledPart(db, storeId, range, now);
  const liveStart = liveFrom === null ? range.from : new Date(liveFrom * DAY_MS);
  const rolled = liveFrom !== null && liveFrom > fromDay;
  const [byDay, byCreator, live] = await Promise.all([
    rolled ? rolledCounts(db, storeId, fromDay, liveFrom, scope, ["day"]) : [],
    rolled ? rolledCounts(db, storeId, fromDay, liveFrom, scope, ["creatorId"]) : [],
    liveStart < range.to ? liveCounts(db, storeId, liveStart, range.to, scope) : [],
  ]);
  return {
    byDay: [...byDay.map((r) => ({ day: r.day!, qualification: r.qualification, clicks: r.clicks })), ...live],
    byCreator: [
      ...byCreator.map((r) => ({ creatorId: r.creatorId!, qualification: r.qualification, clicks: r.clicks })),
      ...live,
    ],
  };
}

async function rolledCounts(
  db: Db,
  storeId: string,
  fromDay: number,
  toDay: number,
  scope: Scope,
  by: ("day" | "creatorId")[],
) {
  const keys = raw(by.map((k) => `"${k}"`).join(", "));
  const rows = await db.$queryRaw<{ day?: unknown; creatorId?: string; qualification: string; n: unknown }[]>(sql`
    SELECT ${keys}, qualification, SUM(clicks) AS n
    FROM "ClickRollup"
    WHERE "storeId" = ${storeId} AND day >= ${fromDay} AND day < ${toDay} ${scopeSql(scope)}
    GROUP BY ${keys}, qualification`);
  return rows.map((r) => ({
    day: r.day === undefined ? null : num(r.day),
    creatorId: r.creatorId ?? null,
    qualification: r.qualification,
    clicks: num(r.n),
  }));
}

async function liveCounts(db: Db, storeId: string, from: Date, to: Date, scope: Scope) {
  const rows = await db.$queryRaw<{ day: unknown; creatorId: string; qualification: string; n: unknown }[]>(sql`
    SELECT ${dayNumber(db, `"occurredAt"`)} AS day, "creatorId", qualification, COUNT(*) AS n
    FROM "Click"
    WHERE "storeId" = ${storeId} AND "occurredAt" >= ${from} AND "occurredAt" < ${to} ${scopeSql(scope)}
    GROUP BY 1, 2, 3`);
  return rows.map((r) => ({
    day: num(r.day),
    creatorId: r.creatorId,
    qualification: r.qualification,
    clicks: num(r.n),
  }));
}

export interface CampaignClicks {
  campaignId: string;
  creatorId: string;
  clicks: number;
}

/**
 * Qualified clicks of some of a store's creators, per campaign, over all time: the closed days from the
 * rollup (rolled up first where missing), the rest counted live through the (storeId, occurredAt) index. Never
 * a scan of the Click table beyond the store's last day or so.
 */
export async function qualifiedClicksOf(
  db: Db,
  storeId: string,
  creatorIds: readonly string[],
  now = new Date(),
): Promise<CampaignClicks[]> {
  if (creatorIds.length === 0) return [];
  const first = await db.click.findFirst({
    where: { storeId },
    orderBy: { occurredAt: "asc" },
    select: { occurredAt: true },
  });
  if (first === null) return [];
  const range = {
    from: new Date(Math.floor(first.occurredAt.getTime() / DAY_MS) * DAY_MS),
    to: new Date((Math.floor(now.getTime() / DAY_MS) + 1) * DAY_MS),
  };
  const { fromDay, liveFrom } = await rolledPart(db, storeId, range, now);
  const liveStart = liveFrom ?? fromDay;
  const rows = await inChunks([...new Set(creatorIds)], async (chunk) => {
    const creators = join(chunk);
    const [rolled, live] = await Promise.all([
      liveStart > fromDay
        ? db.$queryRaw<{ campaignId: string; creatorId: string; n: unknown }[]>(sql`
            SELECT "campaignId", "creatorId", SUM(clicks) AS n
            FROM "ClickRollup"
            WHERE "storeId" = ${storeId} AND day >= ${fromDay} AND day < ${liveStart}
              AND qualification = 'qualified' AND "creatorId" IN (${creators})
            GROUP BY 1, 2`)
        : [],
      db.$queryRaw<{ campaignId: string; creatorId: string; n: unknown }[]>(sql`
        SELECT "campaignId", "creatorId", COUNT(*) AS n
        FROM "Click"
        WHERE "storeId" = ${storeId} AND "occurredAt" >= ${new Date(liveStart * DAY_MS)} AND "occurredAt" < ${range.to}
          AND qualification = 'qualified' AND "creatorId" IN (${creators})
        GROUP BY 1, 2`),
    ]);
    return [...rolled, ...live];
  });
  // A campaign and creator can have both rolled-up days and live ones.
  const counts = new Map<string, CampaignClicks>();
  for (const r of rows) {
    const key = `${r.campaignId}:${r.creatorId}`;
    const entry = counts.get(key) ?? { campaignId: r.campaignId, creatorId: r.creatorId, clicks: 0 };
    entry.clicks += num(r.n);
    counts.set(key, entry);
  }
  return [...counts.values()];
}
