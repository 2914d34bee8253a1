import { inChunks } from "../admin/sql.ts";
import { requireCampaign } from "../campaigns/campaign-store.ts";
import type { Db } from "../db/client.ts";
import { toSafeNumber } from "../shared/db-errors.ts";

/** The money of a report row in one currency: amounts in different currencies are never added. */
export interface CurrencyFigures {
  currency: string;
  /** Attributed credit net of refunds, minor units. */
  revenue: number;
  commissions: {
    pending: number;
    approved: number;
    paid: number;
    reversed: number;
    rejected: number;
    over_budget: number;
  };
}

export interface CreatorReportRow {
  creatorId: string;
  creatorName: string;
  rawClicks: number;
  qualifiedClicks: number;
  signUps: number;
  purchases: number;
  conversionRate: number;
  /** One entry per currency the creator earned or sold in, the campaign's currency first. */
  money: CurrencyFigures[];
}

export interface CampaignReport {
  campaignId: string;
  campaignName: string;
  currency: string;
  from: Date | null;
  to: Date | null;
  rows: CreatorReportRow[];
  totals: Omit<CreatorReportRow, "creatorId" | "creatorName" | "money"> & {
    money: (CurrencyFigures & { returnOnSpend: number | null })[];
  };
}

const EMPTY_COMMISSIONS = () => ({ pending: 0, approved: 0, paid: 0, reversed: 0, rejected: 0, over_budget: 0 });

function figuresIn(money: CurrencyFigures[], currency: string): CurrencyFigures {
  let figures = money.find((m) => m.currency === currency);
  if (!figures) {
    figures = { currency, revenue: 0, commissions: EMPTY_COMMISSIONS() };
    money.push(figures);
  }
  return figures;
}

/**
 * A campaign's results per creator: clicks (raw and qualified), conversions, attributed revenue and
 * commissions by status. Revenue is attributed credit net of refunds. Money is reported per currency
 * (an order in another currency than the campaign's stays in its own), never summed across currencies.
 */
export async function campaignReport(
  db: Db,
  storeId: string,
  campaignId: string,
  range: { from?: Date; to?: Date } = {},
): Promise<CampaignReport> {
  const campaign = await requireCampaign(db, storeId, campaignId);
  const when = range.from || range.to ? { gte: range.from, lt: range.to } : undefined;
  const [creators, clicks, commissions, credits] = await Promise.all([
    db.creator.findMany({ where: { storeId }, select: { id: true, name: true } }),
    db.click.groupBy({
      by: ["creatorId", "qualification"],
      where: { storeId, campaignId, ...(when ? { occurredAt: when } : {}) },
      _count: { _all: true },
    }),
    db.commission.findMany({
      where: { storeId, campaignId, ...(when ? { createdAt: when } : {}) },
      select: {
        creatorId: true,
        status: true,
        amount: true,
        original: true,
        goal: true,
        conversionId: true,
        currency: true,
      },
    }),
    db.attribution.findMany({
      where: { storeId, campaignId, ...(when ? { touchAt: when } : {}) },
      select: { creatorId: true, credit: true, conversionId: true },
    }),
  ]);
  const names = new Map(creators.map((c) => [c.id, c.name]));
  const rows = new Map<string, CreatorReportRow>();
  const row = (creatorId: string) => {
    let r = rows.get(creatorId);
    if (!r) {
      r = {
        creatorId,
        creatorName: names.get(creatorId) ?? creatorId,
        rawClicks: 0,
        qualifiedClicks: 0,
        signUps: 0,
        purchases: 0,
        conversionRate: 0,
        money: [{ currency: campaign.currency, revenue: 0, commissions: EMPTY_COMMISSIONS() }],
      };
      rows.set(creatorId, r);
    }
    return r;
  };
  for (const c of clicks) {
    const r = row(c.creatorId);
    r.rawClicks += c._count._all;
    if (c.qualification === "qualified") r.qualifiedClicks += c._count._all;
  }
  // In slices: a campaign has thousands of conversions, more than one statement may bind.
  const conversions = await inChunks([...new Set(credits.map((c) => c.conversionId))], (ids) =>
    db.conversion.findMany({
      where: { storeId, id: { in: ids } },
      select: { id: true, kind: true, value: true, orderId: true },
    }),
  );
  const orders = await inChunks(
    conversions.flatMap((c) => (c.orderId ? [c.orderId] : [])),
    (ids) =>
      db.order.findMany({
        where: { storeId, id: { in: ids } },
        select: { id: true, total: true, refunded: true, status: true, currency: true },
      }),
  );
  const orderById = new Map(orders.map((o) => [o.id, o]));
  const kindById = new Map(conversions.map((c) => [c.id, c]));
  const counted = new Set<string>();
  for (const credit of credits) {
    const r = row(credit.creatorId);
    const conversion = kindById.get(credit.conversionId);
    if (!conversion) continue;
    const key = `${credit.creatorId}:${credit.conversionId}`;
    if (!counted.has(key)) {
      counted.add(key);
      if (conversion.kind === "purchase") r.purchases++;
      else if (conversion.kind === "sign_up" || conversion.kind === "lead") r.signUps++;
    }
    const order = conversion.orderId ? orderById.get(conversion.orderId) : undefined;
    const share = toSafeNumber(credit.credit);
    if (!order) continue;
    if (order.status === "reversed") continue;
    const total = toSafeNumber(order.total);
    const net = total === 0 ? 0 : Math.round((share * (total - Math.min(toSafeNumber(order.refunded), total))) / total);
    figuresIn(r.money, order.currency).revenue += net;
  }
  for (const c of commissions) {
    const r = row(c.creatorId);
    const status = c.status as keyof CurrencyFigures["commissions"];
    figuresIn(r.money, c.currency).commissions[status] += toSafeNumber(
      status === "rejected" || status === "over_budget" ? c.original : c.amount,
    );
  }
  const home = (r: CreatorReportRow) => r.money[0]!.revenue;
  const list = [...rows.values()].sort((a, b) => home(b) - home(a) || a.creatorName.localeCompare(b.creatorName));
  for (const r of list) r.conversionRate = r.qualifiedClicks === 0 ? 0 : (r.purchases + r.signUps) / r.qualifiedClicks;
  const totals = {
    rawClicks: sum(list, (r) => r.rawClicks),
    qualifiedClicks: sum(list, (r) => r.qualifiedClicks),
    signUps: sum(list, (r) => r.signUps),
    purchases: sum(list, (r) => r.purchases),
    conversionRate: 0,
    money: [] as CurrencyFigures[],
  };
  figuresIn(totals.money, campaign.currency);
  for (const r of list) {
    for (const m of r.money) {
      const t = figuresIn(totals.money, m.currency);
      t.revenue += m.revenue;
      for (const k of Object.keys(t.commissions) as (keyof CurrencyFigures["commissions"])[])
        t.commissions[k] += m.commissions[k];
    }
  }
  totals.conversionRate =
    totals.qualifiedClicks === 0 ? 0 : (totals.purchases + totals.signUps) / totals.qualifiedClicks;
  const byCurrency = (a: CurrencyFigures, b: CurrencyFigures) =>
    a.currency === campaign.currency ? -1 : b.currency === campaign.currency ? 1 : a.currency.localeCompare(b.currency);
  for (const r of list) r.money.sort(byCurrency);
  // Return on spend compares revenue and commissions of the same currency only.
  const money = totals.money.sort(byCurrency).map((t) => {
    const spend = t.commissions.pending + t.commissions.approved + t.commissions.paid;
    return { ...t, returnOnSpend: spend === 0 ? null : t.revenue / spend };
  });
  return {
    campaignId,
    campaignName: campaign.name,
    currency: campaign.currency,
    from: range.from ?? null,
    to: range.to ?? null,
    rows: list,
    totals: { ...totals, money },
  };
}

function sum<T>(items: readonly T[], f: (t: T) => number): number {
  return items.reduce((s, t) => s + f(t), 0);
}
