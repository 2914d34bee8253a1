import { requireCampaign } from "../campaigns/campaign-store.ts";
import type { Db } from "../db/client.ts";
import { dayOf, dayText, num } from "../db/sql.ts";
import {
  addCommissionTotals,
  byCurrency,
  type CommissionTotals,
  type CurrencyFigures,
  conversionRate,
  figuresIn,
  returnOnSpend,
  spendOf,
} from "../metrics/definitions.ts";
import { requireStore } from "../stores/store.ts";
import { clickTotals } from "./click-rollup.ts";
import { conversionCounts, type Measures } from "./conversion-rollup.ts";

// The Overview page: what a merchant's program produced in a date range, for every campaign or one.
// Everything is counted by when the conversion (or click) happened, in UTC days:
// - clicks: raw (every redirect) beside qualified (bots and repeats within the dedup window filtered out);
// - sign-ups and purchases: attributed conversions; an order refunded in full or cancelled is counted as
//   refunded or cancelled, not as a purchase (metrics/definitions.ts holds every definition);
// - revenue: each creator's attributed credit, net of refunds;
// - commissions by status (pending, approved, paid, reversed = original minus current) of those conversions,
//   and return on spend: revenue / (pending + approved + paid) in the same currency.
// Days that are over come from daily rollups (click-rollup.ts, conversion-rollup.ts); today is counted live.
// Money is per currency, the campaign's (or the store's) first: amounts in different currencies are never
// added. The daily series shows the first currency's money.

export interface OverviewQuery {
  from: Date;
  /** Exclusive. */
  to: Date;
  campaignId?: string | null;
  /** One creator's results (a creator's page): each conversion they share counts for them. */
  creatorId?: string | null;
}

export type { CommissionTotals };

export interface OverviewDay {
  date: string;
  rawClicks: number;
  qualifiedClicks: number;
  conversions: number;
  /** In the overview's first currency. */
  revenue: number;
  /** pending + approved + paid, in the overview's first currency. */
  commissions: number;
}

export interface OverviewCreatorMoney {
  currency: string;
  revenue: number;
  /** pending + approved + paid */
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
  refunded: number;
  cancelled: number;
  conversionRate: number;
  /** One entry per currency, the overview's first. */
  money: OverviewCreatorMoney[];
}

export interface OverviewMoney extends CurrencyFigures {
  /** pending + approved + paid */
  spend: number;
  returnOnSpend: number | null;
}

export interface Overview {
  /** The campaign's currency, or the store's: first in every money list, and the series' currency. */
  currency: string;
  from: Date;
  to: Date;
  campaignId: string | null;
  creatorId: string | null;
  clicks: { raw: number; qualified: number; repeat: number; bot: number };
  signUps: number;
  purchases: number;
  refunded: number;
  cancelled: number;
  /** (sign-ups + purchases) / qualified clicks; 0 without clicks. */
  conversionRate: number;
  /** One entry per currency, the first currency always there. */
  money: OverviewMoney[];
  series: OverviewDay[];
  creators: OverviewCreator[];
}

export async function overview(db: Db, storeId: string, query: OverviewQuery, now = new Date()): Promise<Overview> {
  const store = await requireStore(db, storeId);
  const campaignId = query.campaignId || null;
  const creatorId = query.creatorId || null;
  const currency = campaignId ? (await requireCampaign(db, storeId, campaignId)).currency : store.currency;
  const { from, to } = query;

  const [clickRows, conversionRows, creators] = await Promise.all([
    clickTotals(db, storeId, { from, to, campaignId, creatorId }, now),
    conversionCounts(db, storeId, { from, to, campaignId, creatorId }, now),
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
        refunded: 0,
        cancelled: 0,
        conversionRate: 0,
        money: [{ currency, revenue: 0, commissions: 0 }],
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

  let signUps = 0;
  let purchases = 0;
  let refunded = 0;
  let cancelled = 0;
  const money: CurrencyFigures[] = [];
  figuresIn(money, currency);
  for (const r of conversionRows.byDay) {
    // Store- and campaign-wide, a conversion shared by creators counts once (on its first credited touch); for
    // one creator, each conversion credited to them counts, whoever else shares it.
    const n = creatorId
      ? { purchases: r.purchases, signUps: r.signUps, refunded: r.refunds, cancelled: r.cancellations }
      : {
          purchases: r.firstPurchases,
          signUps: r.firstSignUps,
          refunded: r.firstRefunds,
          cancelled: r.firstCancellations,
        };
    purchases += n.purchases;
    signUps += n.signUps;
    refunded += n.refunded;
    cancelled += n.cancelled;
    const figures = figuresIn(money, r.currency);
    figures.revenue += r.revenue;
    addCommissionTotals(figures.commissions, commissionsOf(r));
    const day = dayAt(r.day);
    if (!day) continue;
    day.conversions += n.purchases + n.signUps;
    if (r.currency !== currency) continue;
    day.revenue += r.revenue;
    day.commissions += r.pending + r.approved + r.paid;
  }
  for (const r of conversionRows.byCreator) {
    // A creator is listed for any credit, in whatever currency, and for commissions spent.
    if (r.conversions === 0 && r.spentCommissions === 0) continue;
    const row = creatorRow(r.creatorId);
    row.purchases += r.purchases;
    row.signUps += r.signUps;
    row.refunded += r.refunds;
    row.cancelled += r.cancellations;
    const figures = creatorMoneyIn(row, r.currency);
    figures.revenue += r.revenue;
    figures.commissions += r.pending + r.approved + r.paid;
  }

  const order = byCurrency(currency);
  const home = (r: OverviewCreator) => r.money.find((m) => m.currency === currency)?.revenue ?? 0;
  const ranked = [...rows.values()]
    .map((r) => ({ ...r, conversionRate: conversionRate(r), money: r.money.sort(order) }))
    .sort(
      (a, b) =>
        home(b) - home(a) ||
        b.purchases + b.signUps - (a.purchases + a.signUps) ||
        b.qualifiedClicks - a.qualifiedClicks ||
        a.name.localeCompare(b.name),
    );
  return {
    currency,
    from,
    to,
    campaignId,
    creatorId,
    clicks,
    signUps,
    purchases,
    refunded,
    cancelled,
    conversionRate: conversionRate({ purchases, signUps, qualifiedClicks: clicks.qualified }),
    money: money.sort(order).map((m) => {
      const spend = spendOf(m.commissions);
      return { ...m, spend, returnOnSpend: returnOnSpend(m.revenue, spend) };
    }),
    series,
    creators: ranked,
  };
}

function commissionsOf(r: Measures): CommissionTotals {
  return {
    pending: r.pending,
    approved: r.approved,
    paid: r.paid,
    reversed: r.reversed,
    rejected: r.rejected,
    over_budget: r.overBudget,
  };
}

function creatorMoneyIn(row: OverviewCreator, currency: string): OverviewCreatorMoney {
  let figures = row.money.find((m) => m.currency === currency);
  if (!figures) {
    figures = { currency, revenue: 0, commissions: 0 };
    row.money.push(figures);
  }
  return figures;
}
