import type { Db } from "../db/client.ts";
import { inChunks } from "../db/sql.ts";
import { toSafeNumber } from "../shared/db-errors.ts";
import {
  addCommissionTotals,
  byCurrency,
  type CurrencyFigures,
  commissionContribution,
  conversionCount,
  conversionRate,
  emptyCommissionTotals,
  figuresIn,
  netRevenue,
  returnOnSpend,
  spendOf,
} from "./definitions.ts";

// A program's figures (a store, one campaign, one creator) counted from the rows themselves with the
// definitions of definitions.ts: what the CLI report, the creator page and the portal show. Conversions are
// counted by when they happened (as the Overview counts them); clicks by when they happened.

export interface MetricsQuery {
  campaignId?: string | null;
  creatorId?: string | null;
  from?: Date | null;
  /** Exclusive. */
  to?: Date | null;
}

export interface Counts {
  rawClicks: number;
  qualifiedClicks: number;
  signUps: number;
  /** Attributed purchases whose order is kept (not cancelled, not refunded in full). */
  purchases: number;
  /** Attributed purchases whose order was refunded in full. */
  refunded: number;
  /** Attributed purchases whose order was cancelled. */
  cancelled: number;
  conversionRate: number;
}

export interface CreatorMetrics extends Counts {
  creatorId: string;
  creatorName: string;
  /** One entry per currency, the program's currency first. */
  money: CurrencyFigures[];
}

export interface ProgramMetrics {
  /** The campaign's currency, or the store's: listed first. */
  currency: string;
  rows: CreatorMetrics[];
  /** Each conversion counted once, however many creators share it. */
  totals: Counts & { money: (CurrencyFigures & { returnOnSpend: number | null })[] };
}

const emptyCounts = (): Counts => ({
  rawClicks: 0,
  qualifiedClicks: 0,
  signUps: 0,
  purchases: 0,
  refunded: 0,
  cancelled: 0,
  conversionRate: 0,
});

export async function programMetrics(
  db: Db,
  storeId: string,
  currency: string,
  query: MetricsQuery = {},
): Promise<ProgramMetrics> {
  const scope = {
    storeId,
    ...(query.campaignId ? { campaignId: query.campaignId } : {}),
    ...(query.creatorId ? { creatorId: query.creatorId } : {}),
  };
  const when =
    query.from || query.to
      ? { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lt: query.to } : {}) }
      : null;
  const [creators, clicks, credits, commissions] = await Promise.all([
    db.creator.findMany({
      where: { storeId, ...(query.creatorId ? { id: query.creatorId } : {}) },
      select: { id: true, name: true },
    }),
    db.click.groupBy({
      by: ["creatorId", "qualification"],
      where: { ...scope, ...(when ? { occurredAt: when } : {}) },
      _count: { _all: true },
    }),
    db.attribution.findMany({
      where: scope,
      select: { creatorId: true, conversionId: true, credit: true, position: true },
    }),
    db.commission.findMany({
      where: scope,
      select: { creatorId: true, conversionId: true, status: true, amount: true, original: true, currency: true },
    }),
  ]);
  const conversionIds = [...new Set([...credits, ...commissions].map((c) => c.conversionId))];
  // In slices: a store has thousands of conversions, more than one statement may bind.
  const conversions = await inChunks(conversionIds, (ids) =>
    db.conversion.findMany({
      where: { storeId, id: { in: ids }, ...(when ? { occurredAt: when } : {}) },
      select: { id: true, kind: true, status: true, orderId: true, currency: true },
    }),
  );
  const orders = await inChunks(
    conversions.flatMap((c) => (c.orderId ? [c.orderId] : [])),
    (ids) =>
      db.order.findMany({
        where: { storeId, id: { in: ids } },
        select: { id: true, total: true, refunded: true, status: true },
      }),
  );
  const orderById = new Map(
    orders.map((o) => [o.id, { status: o.status, total: toSafeNumber(o.total), refunded: toSafeNumber(o.refunded) }]),
  );
  const conversionById = new Map(conversions.map((c) => [c.id, c]));
  const names = new Map(creators.map((c) => [c.id, c.name]));

  const rows = new Map<string, CreatorMetrics>();
  const row = (creatorId: string) => {
    let r = rows.get(creatorId);
    if (!r) {
      r = {
        creatorId,
        creatorName: names.get(creatorId) ?? creatorId,
        ...emptyCounts(),
        money: [{ currency, revenue: 0, commissions: emptyCommissionTotals() }],
      };
      rows.set(creatorId, r);
    }
    return r;
  };
  const totals = { ...emptyCounts(), money: [] as CurrencyFigures[] };
  figuresIn(totals.money, currency);

  for (const c of clicks) {
    const r = row(c.creatorId);
    r.rawClicks += c._count._all;
    totals.rawClicks += c._count._all;
    if (c.qualification === "qualified") {
      r.qualifiedClicks += c._count._all;
      totals.qualifiedClicks += c._count._all;
    }
  }

  const countedForCreator = new Set<string>();
  const countedOnce = new Set<string>();
  for (const credit of credits) {
    const conversion = conversionById.get(credit.conversionId);
    if (!conversion) continue;
    const order = conversion.orderId ? orderById.get(conversion.orderId) : null;
    const counted = conversionCount(conversion, order);
    if (counted === null) continue;
    const r = row(credit.creatorId);
    const key = counted === "sign_up" ? "signUps" : counted === "purchase" ? "purchases" : counted;
    if (!countedForCreator.has(`${credit.creatorId}:${conversion.id}`)) {
      countedForCreator.add(`${credit.creatorId}:${conversion.id}`);
      r[key]++;
    }
    if (!countedOnce.has(conversion.id)) {
      countedOnce.add(conversion.id);
      totals[key]++;
    }
    if (conversion.kind !== "purchase") continue;
    const revenue = netRevenue(toSafeNumber(credit.credit), order);
    figuresIn(r.money, conversion.currency).revenue += revenue;
    figuresIn(totals.money, conversion.currency).revenue += revenue;
  }
  for (const c of commissions) {
    if (!conversionById.has(c.conversionId)) continue;
    const contribution = commissionContribution({
      status: c.status,
      amount: toSafeNumber(c.amount),
      original: toSafeNumber(c.original),
    });
    addCommissionTotals(figuresIn(row(c.creatorId).money, c.currency).commissions, contribution);
    addCommissionTotals(figuresIn(totals.money, c.currency).commissions, contribution);
  }

  const order = byCurrency(currency);
  const home = (r: CreatorMetrics) => r.money.find((m) => m.currency === currency)?.revenue ?? 0;
  const list = [...rows.values()]
    .map((r) => ({ ...r, conversionRate: conversionRate(r), money: r.money.sort(order) }))
    .sort((a, b) => home(b) - home(a) || a.creatorName.localeCompare(b.creatorName));
  return {
    currency,
    rows: list,
    totals: {
      ...totals,
      conversionRate: conversionRate(totals),
      // Return on spend compares revenue and commissions of the same currency only.
      money: totals.money
        .sort(order)
        .map((m) => ({ ...m, returnOnSpend: returnOnSpend(m.revenue, spendOf(m.commissions)) })),
    },
  };
}
