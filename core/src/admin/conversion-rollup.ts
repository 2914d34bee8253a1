import { type Db, joinSql, providerOfDb, sql } from "../db/client.ts";
import { dayNumber, num, raw, type Sql } from "../db/sql.ts";
import { closedDays, dayRuns, type Scope, type ScopeQuery, scopeOf, scopeSql } from "./click-rollup.ts";

// Daily conversion figures for the Overview. Counting them live means joining every conversion of the range
// with its attributions, order and commissions: a few hundred milliseconds for a 90-day range of a store with
// 50,000 orders. So days that are over are kept per campaign, creator and currency in ConversionRollup.
//
// Unlike clicks, a closed day's conversions keep changing: refunds and cancellations move revenue and reverse
// commissions, the approval sweep and payouts move commissions between statuses, a late browser event
// re-attributes an order. Every such change records its day in ConversionRollupStale in the transaction that
// makes it (conversions/stale-days.ts), and this module computes a day again when it has a stale row or was
// never rolled up, under a per-store lock, then deletes exactly the stale rows it read before computing:
// a change committed meanwhile leaves its row behind for the next Overview.
//
// Writers add no stale row for a day that has not ended by their wall clock. That is safe because a day is
// rolled up only once it has been over for ROLLUP_GRACE_MS by the wall clock too (whatever `now` a caller
// passes): a transaction that changed it while it was open has committed long before. The current day is
// always counted live, with the same query that fills the rollup.

const DAY_MS = 86_400_000;
/** Days computed per transaction: a SQLite transaction holds the database, so keep each one short. */
const DAYS_PER_TRANSACTION = 7;
const TX_OPTIONS = { maxWait: 30_000, timeout: 60_000 } as const;
const CHUNK = 500;

const MEASURES = [
  ["conversions", "INTEGER"],
  ["purchases", "INTEGER"],
  ["firstPurchases", "INTEGER"],
  ["signUps", "INTEGER"],
  ["firstSignUps", "INTEGER"],
  ["refunds", "INTEGER"],
  ["firstRefunds", "INTEGER"],
  ["cancellations", "INTEGER"],
  ["firstCancellations", "INTEGER"],
  ["revenue", "BIGINT"],
  ["spentCommissions", "INTEGER"],
  ["pending", "BIGINT"],
  ["approved", "BIGINT"],
  ["paid", "BIGINT"],
  ["reversed", "BIGINT"],
  ["rejected", "BIGINT"],
  ["overBudget", "BIGINT"],
] as const;

/** What the Overview sums, per day or creator and currency (see the ConversionRollup model). */
export type Measures = Record<(typeof MEASURES)[number][0], number>;
export type DayCount = Measures & { day: number; currency: string };
export type CreatorCount = Measures & { creatorId: string; currency: string };

const measureList = (expression: (name: string, type: string) => string) =>
  MEASURES.map(([name, type]) => expression(name, type)).join(", ");

/**
 * Conversions in the given [from, to) ranges per day, campaign, creator and currency, from the conversions
 * themselves: credits (with their conversions, once on the first credited touch, and revenue net of refunds) and
 * commissions by status, each grouped on its own and then put side by side. Several ranges go in one statement:
 * PostgreSQL often hashes the whole Attribution and Order tables for it, which costs the same for one day or many.
 */
function aggregate(db: Db, storeId: string, ranges: [Date, Date][], scope: Scope): Sql {
  const day = dayNumber(db, `c."occurredAt"`);
  const inRanges = sql`(${joinSql(
    ranges.map(([from, to]) => sql`(c."occurredAt" >= ${from} AND c."occurredAt" < ${to})`),
    " OR ",
  )})`;
  const first = sql`a.position = (SELECT MIN(a2.position) FROM "Attribution" a2 WHERE a2."conversionId" = c.id)`;
  // The definitions of metrics/definitions.ts (orderOutcome, netRevenue, commissionContribution) in SQL;
  // metrics/metrics-sql.test.ts holds the two to each other.
  const cancelled = sql`o.status = 'reversed'`;
  const refunded = sql`(o.status <> 'reversed' AND o.total > 0 AND o.refunded >= o.total)`;
  const kept = sql`(o.id IS NULL OR NOT (${cancelled} OR ${refunded}))`;
  const purchase = (outcome: Sql) => sql`c.kind = 'purchase' AND ${outcome}`;
  return sql`
    SELECT day, "campaignId", "creatorId", currency,
      ${raw(measureList((name, type) => `CAST(SUM("${name}") AS ${type}) AS "${name}"`))}
    FROM (
      SELECT ${day} AS day, a."campaignId", a."creatorId", c.currency,
        COUNT(DISTINCT c.id) AS conversions,
        COUNT(DISTINCT CASE WHEN ${purchase(kept)} THEN c.id END) AS purchases,
        SUM(CASE WHEN ${purchase(kept)} AND ${first} THEN 1 ELSE 0 END) AS "firstPurchases",
        COUNT(DISTINCT CASE WHEN c.kind IN ('sign_up', 'lead') THEN c.id END) AS "signUps",
        SUM(CASE WHEN c.kind IN ('sign_up', 'lead') AND ${first} THEN 1 ELSE 0 END) AS "firstSignUps",
        COUNT(DISTINCT CASE WHEN ${purchase(refunded)} THEN c.id END) AS refunds,
        SUM(CASE WHEN ${purchase(refunded)} AND ${first} THEN 1 ELSE 0 END) AS "firstRefunds",
        COUNT(DISTINCT CASE WHEN ${purchase(cancelled)} THEN c.id END) AS cancellations,
        SUM(CASE WHEN ${purchase(cancelled)} AND ${first} THEN 1 ELSE 0 END) AS "firstCancellations",
        SUM(CASE
          WHEN c.kind <> 'purchase' THEN 0
          WHEN o.id IS NULL THEN a.credit
          WHEN ${cancelled} OR o.total <= 0 THEN 0
          ELSE a.credit * (o.total - CASE WHEN o.refunded > o.total THEN o.total WHEN o.refunded < 0 THEN 0 ELSE o.refunded END) / o.total
        END) AS revenue,
        0 AS "spentCommissions", 0 AS pending, 0 AS approved, 0 AS paid, 0 AS reversed, 0 AS rejected,
        0 AS "overBudget"
      FROM "Conversion" c
      JOIN "Attribution" a ON a."conversionId" = c.id
      LEFT JOIN "Order" o ON o.id = c."orderId"
      WHERE c."storeId" = ${storeId} AND a."storeId" = ${storeId} AND ${inRanges}
        AND c.status = 'attributed' ${scopeSql(scope, "a")}
      GROUP BY 1, 2, 3, 4
      UNION ALL
      SELECT ${day}, cm."campaignId", cm."creatorId", cm.currency, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        SUM(CASE WHEN cm.status IN ('pending', 'approved', 'paid') THEN 1 ELSE 0 END),
        SUM(CASE WHEN cm.status = 'pending' THEN cm.amount ELSE 0 END),
        SUM(CASE WHEN cm.status = 'approved' THEN cm.amount ELSE 0 END),
        SUM(CASE WHEN cm.status = 'paid' THEN cm.amount ELSE 0 END),
        SUM(CASE WHEN cm.status IN ('rejected', 'over_budget') OR cm.original <= cm.amount THEN 0
          ELSE cm.original - cm.amount END),
        SUM(CASE WHEN cm.status = 'rejected' THEN cm.original ELSE 0 END),
        SUM(CASE WHEN cm.status = 'over_budget' THEN cm.original ELSE 0 END)
      FROM "Conversion" c
      JOIN "Commission" cm ON cm."conversionId" = c.id
      WHERE c."storeId" = ${storeId} AND cm."storeId" = ${storeId} AND ${inRanges} ${scopeSql(scope, "cm")}
      GROUP BY 1, 2, 3, 4
    ) u
    GROUP BY day, "campaignId", "creatorId", currency`;
}

type CountRow = { day?: unknown; creatorId?: string; currency: string } & Record<string, unknown>;

function measuresOf(r: CountRow): Measures {
  const out = {} as Measures;
  for (const [name] of MEASURES) out[name] = num(r[name]);
  return out;
}

/** The wall clock bounds which days count as over (see the note at the top), even for a `now` in the future. */
function asOf(now: Date): Date {
  return new Date(Math.min(now.getTime(), Date.now()));
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** Days of [first, last] that were never rolled up or changed since, and the stale rows read for them. */
async function daysToRollUp(client: Db | Tx, storeId: string, first: number, last: number) {
  const marked = await client.conversionRollupDay.findMany({
    where: { storeId, day: { gte: first, lte: last } },
    select: { day: true },
  });
  const stale = await client.conversionRollupStale.findMany({
    where: { storeId, day: { gte: first, lte: last } },
    select: { id: true, day: true },
  });
  const done = new Set(marked.map((m) => m.day));
  const changed = new Set(stale.map((s) => s.day));
  const days: number[] = [];
  for (let d = first; d <= last; d++) if (!done.has(d) || changed.has(d)) days.push(d);
  return { days, stale };
}

/**
 * Brings the rollup of the closed days in [fromDay, toDay) up to date: days never rolled up and days changed
 * since. Returns the days computed by this call.
 */
export async function rollUpConversions(
  db: Db,
  storeId: string,
  fromDay: number,
  toDay: number,
  now = new Date(),
): Promise<number[]> {
  const closed = closedDays(fromDay, toDay, asOf(now));
  if (closed.length === 0) return [];
  const { days } = await daysToRollUp(db, storeId, closed[0]!, closed.at(-1)!);
  const computed: number[] = [];
  for (let i = 0; i < days.length; i += DAYS_PER_TRANSACTION) {
    const some = days.slice(i, i + DAYS_PER_TRANSACTION);
    computed.push(...(await db.$transaction((tx) => rollUp(tx, db, storeId, some, now), TX_OPTIONS)));
  }
  return computed;
}

async function rollUp(tx: Tx, db: Db, storeId: string, candidates: number[], now: Date) {
  // One rollup of a store at a time: two would each delete and insert the same days. (A SQLite transaction
  // holds the whole database already.) What needs doing is read again once the lock is held.
  if (providerOfDb(db) === "postgresql")
    await tx.$executeRaw(sql`SELECT pg_advisory_xact_lock(hashtext(${`trailmark.conversion-rollup:${storeId}`}))`);
  // The stale rows are read before the conversions are: every change whose row is read here has committed,
  // so the aggregate below sees it.
  const wanted = new Set(candidates);
  const pending = await daysToRollUp(tx, storeId, candidates[0]!, candidates.at(-1)!);
  const days = pending.days.filter((d) => wanted.has(d));
  const computing = new Set(days);
  const staleIds = pending.stale.filter((s) => computing.has(s.day)).map((s) => s.id);
  if (days.length > 0) {
    const ranges = dayRuns(days).map(([a, b]): [Date, Date] => [new Date(a * DAY_MS), new Date((b + 1) * DAY_MS)]);
    await tx.$executeRaw(
      sql`DELETE FROM "ConversionRollup" WHERE "storeId" = ${storeId} AND day IN (${joinSql(days)})`,
    );
    await tx.$executeRaw(sql`
      INSERT INTO "ConversionRollup" ("storeId", day, "campaignId", "creatorId", currency,
        ${raw(measureList((name) => `"${name}"`))})
      SELECT ${storeId}, day, "campaignId", "creatorId", currency, ${raw(measureList((name) => `"${name}"`))}
      FROM (${aggregate(db, storeId, ranges, scopeOf({}))}) x`);
    const values = days.map((d) => sql`(${storeId}, ${d}, ${now})`);
    await tx.$executeRaw(
      sql`INSERT INTO "ConversionRollupDay" ("storeId", day, "createdAt") VALUES ${joinSql(values)} ON CONFLICT DO NOTHING`,
    );
  }
  for (let i = 0; i < staleIds.length; i += CHUNK)
    await tx.$executeRaw(
      sql`DELETE FROM "ConversionRollupStale" WHERE id IN (${joinSql(staleIds.slice(i, i + CHUNK))})`,
    );
  return days;
}

/**
 * Conversion figures in [from, to) per day and currency, and per creator and currency: closed days from the
 * rollup (brought up to date first), the rest counted live. Two small groupings rather than one per day and
 * creator (thousands of rows for a 90-day range). Rows are additive: a key may come more than once.
 */
export async function conversionCounts(
  db: Db,
  storeId: string,
  range: { from: Date; to: Date } & ScopeQuery,
  now = new Date(),
): Promise<{ byDay: DayCount[]; byCreator: CreatorCount[] }> {
  const scope = scopeOf(range);
  const aligned = range.from.getTime() % DAY_MS === 0 && range.to.getTime() % DAY_MS === 0;
  const fromDay = Math.floor(range.from.getTime() / DAY_MS);
  const toDay = Math.ceil(range.to.getTime() / DAY_MS);
  const rolledTo = aligned ? fromDay + closedDays(fromDay, toDay, asOf(now)).length : fromDay;
  if (rolledTo > fromDay) await rollUpConversions(db, storeId, fromDay, rolledTo, now);
  const liveFrom = rolledTo > fromDay ? new Date(rolledTo * DAY_MS) : range.from;
  const rolled = (by: "day" | "creatorId") =>
    db.$queryRaw<CountRow[]>(sql`
      SELECT ${raw(`"${by}"`)}, currency, ${raw(measureList((name) => `CAST(SUM("${name}") AS BIGINT) AS "${name}"`))}
      FROM "ConversionRollup"
      WHERE "storeId" = ${storeId} AND day >= ${fromDay} AND day < ${rolledTo} ${scopeSql(scope)}
      GROUP BY ${raw(`"${by}"`)}, currency`);
  const [byDay, byCreator, fresh] = await Promise.all([
    rolledTo > fromDay ? rolled("day") : [],
    rolledTo > fromDay ? rolled("creatorId") : [],
    liveFrom < range.to ? live(db, storeId, liveFrom, range.to, scope) : [],
  ]);
  return {
    byDay: [...byDay.map((r) => ({ ...measuresOf(r), day: num(r.day), currency: r.currency })), ...fresh],
    byCreator: [
      ...byCreator.map((r) => ({ ...measuresOf(r), creatorId: r.creatorId!, currency: r.currency })),
      ...fresh,
    ],
  };
}

/** Counted from the conversions themselves: one row per day, campaign, creator and currency. */
async function live(db: Db, storeId: string, from: Date, to: Date, scope: Scope) {
  const rows = await db.$queryRaw<CountRow[]>(aggregate(db, storeId, [[from, to]], scope));
  return rows.map((r) => ({ ...measuresOf(r), day: num(r.day), creatorId: r.creatorId!, currency: r.currency }));
}
