import { requireCampaign } from "../campaigns/campaign-store.ts";
import { type Db, sql } from "../db/client.ts";
import { requireStore } from "../stores/store.ts";
import { clickCounts } from "./click-rollup.ts";
import { andIf, dayNumber, dayOf, dayText, num } from "./sql.ts";

// The Overview page: what a merchant's program produced in a date range, for every campaign or one.
// Everything is counted by when the conversion (or click) happened, in UTC days:
// - clicks: raw (every redirect) beside qualified (bots and repeats within the dedup window filtered out);
// - sign-ups and purchases: attributed conversions (a cancelled order no longer counts);
// - revenue: each creator's attributed credit, net of refunds, in the report's currency;
// - commissions by status (pending, approved, paid) of those conversions, and return on spend:
//   revenue / (pending + approved + paid).
// Clicks of days that are over come from a daily rollup (click-rollup.ts); today's are counted live.
// Money is only summed in one currency (the campaign's, or the store's): conversions in another are
// counted but their money is left out and their currencies listed.

export interface OverviewQuery {
  from: Date;
  /** Exclusive. */
  to: Date;
  campaignId?: string | null;
}

export interface CommissionTotals {
  pending: number;
  approved: number;
  paid: number;
  reversed: number;
  rejected: number;
  over_budget: number;
}

export interface OverviewDay {
  date: string;
  rawClicks: number;
  qualifiedClicks: number;
  conversions: number;
  revenue: number;
  commissions: number;
}

export interface OverviewCreator {
  creatorId: string;
  name: string;
  status: string;
  rawClicks: number;
  qualifiedClicks: number;
  signUps: number;
  purchases: number;
  conversionRate: number;
  revenue: number;
  /** pending + approved + paid */
  commissions: number;
}

export interface Overview {
  currency: string;
  from: Date;
  to: Date;
  campaignId: string | null;
  clicks: { raw: number; qualified: number; repeat: number; bot: number };
  signUps: number;
  purchases: number;
  /** (sign-ups + purchases) / qualified clicks; 0 without clicks. */
  conversionRate: number;
  revenue: number;
  commissions: CommissionTotals;
  /** pending + approved + paid */
  spend: number;
  returnOnSpend: number | null;
  series: OverviewDay[];
  creators: OverviewCreator[];
  /** Currencies of conversions whose money is not in the sums above. */
  otherCurrencies: string[];
}

const EMPTY_COMMISSIONS = (): CommissionTotals => ({
  pending: 0,
  approved: 0,
  paid: 0,
  reversed: 0,
  rejected: 0,
  over_budget: 0,
});

const SPENT = new Set(["pending", "approved", "paid"]);

export async function overview(db: Db, storeId: string, query: OverviewQuery, now = new Date()): Promise<Overview> {
  const store = await requireStore(db, storeId);
  const campaignId = query.campaignId || null;
  const currency = campaignId ? (await requireCampaign(db, storeId, campaignId)).currency : store.currency;
  const { from, to } = query;
  const conversionDay = dayNumber(db, `c."occurredAt"`);

  // Two passes over the range's conversions (SQLite runs a connection's queries one at a time, so fewer is faster):
  // credits with their conversions, and commissions.
  const [clickRows, creditRows, commissionRows, creators] = await Promise.all([
    clickCounts(db, storeId, { from, to, campaignId }, now),
    // Each creator's credit net of refunds (rounded down), the conversions they share in, and each conversion
    // once (on its first credited touch), per currency.
    db.$queryRaw<
      {
        day: unknown;
        creatorId: string;
        kind: string;
        currency: string;
        shared: unknown;
        once: unknown;
        revenue: unknown;
      }[]
    >(sql`
      SELECT ${conversionDay} AS day, a."creatorId", c.kind, c.currency,
        COUNT(DISTINCT c.id) AS shared,
        SUM(CASE WHEN a.position = (SELECT MIN(a2.position) FROM "Attribution" a2 WHERE a2."conversionId" = c.id)
          THEN 1 ELSE 0 END) AS once,
        CAST(SUM(CASE
          WHEN c.kind <> 'purchase' THEN 0
          WHEN o.id IS NULL THEN a.credit
          WHEN o.total = 0 THEN 0
          ELSE a.credit * (o.total - CASE WHEN o.refunded > o.total THEN o.total ELSE o.refunded END) / o.total
        END) AS BIGINT) AS revenue
      FROM "Conversion" c
      JOIN "Attribution" a ON a."conversionId" = c.id
      LEFT JOIN "Order" o ON o.id = c."orderId"
      WHERE c."storeId" = ${storeId} AND a."storeId" = ${storeId}
        AND c."occurredAt" >= ${from} AND c."occurredAt" < ${to}
        AND c.status = 'attributed' AND (o.id IS NULL OR o.status <> 'reversed')
        ${andIf(campaignId, sql`a."campaignId" = ${campaignId}`)}
      GROUP BY 1, 2, 3, 4`),
    db.$queryRaw<{ day: unknown; creatorId: string; status: string; amount: unknown; original: unknown }[]>(sql`
      SELECT ${conversionDay} AS day, cm."creatorId", cm.status,
        CAST(SUM(cm.amount) AS BIGINT) AS amount, CAST(SUM(cm.original) AS BIGINT) AS original
      FROM "Conversion" c
      JOIN "Commission" cm ON cm."conversionId" = c.id
      WHERE c."storeId" = ${storeId} AND cm."storeId" = ${storeId}
        AND c."occurredAt" >= ${from} AND c."occurredAt" < ${to} AND cm.currency = ${currency}
        ${andIf(campaignId, sql`cm."campaignId" = ${campaignId}`)}
      GROUP BY 1, 2, 3`),
    db.creator.findMany({ where: { storeId }, select: { id: true, name: true, status: true } }),
  ]);

  const firstDay = dayOf(from);
  const days = Math.max(0, Math.ceil((to.getTime() - from.getTime()) / 86_400_000));
  const series: OverviewDay[] = Array.from({ length: days }, (_, i) => ({
    date: dayText(firstDay + i),
    rawClicks: 0,
    qualifiedClicks: 0,
    conversions: 0,
    revenue: 0,
    commissions: 0,
  }));
  const dayAt = (day: unknown) => series[num(day) - firstDay];

  const names = new Map(creators.map((c) => [c.id, c]));
  const rows = new Map<string, OverviewCreator>();
  const creatorRow = (creatorId: string) => {
    let row = rows.get(creatorId);
    if (!row) {
      const creator = names.get(creatorId);
      row = {
        creatorId,
        name: creator?.name ?? creatorId,
        status: creator?.status ?? "active",
        rawClicks: 0,
        qualifiedClicks: 0,
        signUps: 0,
        purchases: 0,
        conversionRate: 0,
        revenue: 0,
        commissions: 0,
      };
      rows.set(creatorId, row);
    }
    return row;
  };

  const clicks = { raw: 0, qualified: 0, repeat: 0, bot: 0 };
  for (const r of clickRows) {
    const n = r.clicks;
    const qualified = r.qualification === "qualified";
    clicks.raw += n;
    if (qualified) clicks.qualified += n;
    else if (r.qualification === "bot") clicks.bot += n;
    else clicks.repeat += n;
    const day = dayAt(r.day);
    if (day) {
      day.rawClicks += n;
      if (qualified) day.qualifiedClicks += n;
    }
    const row = creatorRow(r.creatorId);
    row.rawClicks += n;
    if (qualified) row.qualifiedClicks += n;
  }

  let revenue = 0;
  let signUps = 0;
  let purchases = 0;
  const otherCurrencies = new Set<string>();
  for (const r of creditRows) {
    const inCurrency = r.currency === currency;
    if (!inCurrency) otherCurrencies.add(r.currency);
    const once = num(r.once);
    if (r.kind === "purchase") purchases += once;
    else if (r.kind === "sign_up" || r.kind === "lead") signUps += once;
    const day = dayAt(r.day);
    if (day && r.kind !== "custom") day.conversions += once;
    const row = creatorRow(r.creatorId);
    if (r.kind === "purchase") row.purchases += num(r.shared);
    else if (r.kind === "sign_up" || r.kind === "lead") row.signUps += num(r.shared);
    if (!inCurrency) continue;
    const amount = num(r.revenue);
    revenue += amount;
    if (day) day.revenue += amount;
    row.revenue += amount;
  }

  const commissions = EMPTY_COMMISSIONS();
  for (const r of commissionRows) {
    const status = r.status as keyof CommissionTotals;
    if (!(status in commissions)) continue;
    // A rejected or over-budget commission has amount 0: show what it would have been.
    const amount = status === "rejected" || status === "over_budget" ? num(r.original) : num(r.amount);
    commissions[status] += amount;
    if (!SPENT.has(status)) continue;
    const day = dayAt(r.day);
    if (day) day.commissions += amount;
    creatorRow(r.creatorId).commissions += amount;
  }

  const ranked = [...rows.values()]
    .map((r) => ({
      ...r,
      conversionRate: r.qualifiedClicks === 0 ? 0 : (r.signUps + r.purchases) / r.qualifiedClicks,
    }))
    .sort(
      (a, b) =>
        b.revenue - a.revenue ||
        b.purchases + b.signUps - (a.purchases + a.signUps) ||
        b.qualifiedClicks - a.qualifiedClicks ||
        a.name.localeCompare(b.name),
    );
  const spend = commissions.pending + commissions.approved + commissions.paid;
  return {
    currency,
    from,
    to,
    campaignId,
    clicks,
    signUps,
    purchases,
    conversionRate: clicks.qualified === 0 ? 0 : (signUps + purchases) / clicks.qualified,
    revenue,
    commissions,
    spend,
    returnOnSpend: spend === 0 ? null : revenue / spend,
    series,
    creators: ranked,
    otherCurrencies: [...otherCurrencies].sort(),
  };
}
