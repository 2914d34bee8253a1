import { requireCampaign } from "../campaigns/campaign-store.ts";
import type { Db } from "../db/client.ts";
import { requireStore } from "../stores/store.ts";
import { clickTotals } from "./click-rollup.ts";
import { conversionCounts } from "./conversion-rollup.ts";
import { dayOf, dayText, num } from "./sql.ts";

// The Overview page: what a merchant's program produced in a date range, for every campaign or one.
// Everything is counted by when the conversion (or click) happened, in UTC days:
// - clicks: raw (every redirect) beside qualified (bots and repeats within the dedup window filtered out);
// - sign-ups and purchases: attributed conversions (a cancelled order no longer counts);
// - revenue: each creator's attributed credit, net of refunds, in the report's currency;
// - commissions by status (pending, approved, paid) of those conversions, and return on spend:
//   revenue / (pending + approved + paid).
// Days that are over come from daily rollups (click-rollup.ts, conversion-rollup.ts); today is counted live.
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

export async function overview(db: Db, storeId: string, query: OverviewQuery, now = new Date()): Promise<Overview> {
  const store = await requireStore(db, storeId);
  const campaignId = query.campaignId || null;
  const currency = campaignId ? (await requireCampaign(db, storeId, campaignId)).currency : store.currency;
  const { from, to } = query;

  const [clickRows, conversionRows, creators] = await Promise.all([
    clickTotals(db, storeId, { from, to, campaignId }, now),
    conversionCounts(db, storeId, { from, to, campaignId }, now),
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
  for (const r of clickRows.byDay) {
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
  }
  for (const r of clickRows.byCreator) {
    const row = creatorRow(r.creatorId);
    row.rawClicks += r.clicks;
    if (r.qualification === "qualified") row.qualifiedClicks += r.clicks;
  }

  let revenue = 0;
  let signUps = 0;
  let purchases = 0;
  const commissions = EMPTY_COMMISSIONS();
  const otherCurrencies = new Set<string>();
  for (const r of conversionRows.byDay) {
    const inCurrency = r.currency === currency;
    if (r.conversions > 0 && !inCurrency) otherCurrencies.add(r.currency);
    purchases += r.firstPurchases;
    signUps += r.firstSignUps;
    const day = dayAt(r.day);
    if (day) day.conversions += r.firstPurchases + r.firstSignUps;
    if (!inCurrency) continue;
    revenue += r.revenue;
    commissions.pending += r.pending;
    commissions.approved += r.approved;
    commissions.paid += r.paid;
    commissions.reversed += r.reversed;
    commissions.rejected += r.rejected;
    commissions.over_budget += r.overBudget;
    if (day) {
      day.revenue += r.revenue;
      day.commissions += r.pending + r.approved + r.paid;
    }
  }
  for (const r of conversionRows.byCreator) {
    const inCurrency = r.currency === currency;
    // A creator is listed for any credit, in whatever currency, and for commissions spent in this one.
    if (r.conversions === 0 && !(inCurrency && r.spentCommissions > 0)) continue;
    const row = creatorRow(r.creatorId);
    row.purchases += r.purchases;
    row.signUps += r.signUps;
    if (!inCurrency) continue;
    row.revenue += r.revenue;
    row.commissions += r.pending + r.approved + r.paid;
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
