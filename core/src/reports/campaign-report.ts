import { requireCampaign } from "../campaigns/campaign-store.ts";
import type { Db } from "../db/client.ts";
import {
  type CommissionTotals,
  type CreatorMetrics,
  type CurrencyFigures,
  currencyFiguresJson,
  type ProgramMetrics,
  programMetrics,
} from "../metrics/index.ts";
import { requireStore } from "../stores/store.ts";

// The CLI's report: a campaign's results, or the whole store's (every campaign), per creator, counted with
// the one set of definitions in metrics/ so it tells the same story as the admin and the CSV.

export type { CommissionTotals, CurrencyFigures };
export type CreatorReportRow = CreatorMetrics;

export interface ProgramReport {
  /** null for the store-wide report. */
  campaignId: string | null;
  campaignName: string | null;
  /** The campaign's currency, or the store's: listed first. */
  currency: string;
  from: Date | null;
  to: Date | null;
  rows: CreatorReportRow[];
  totals: ProgramMetrics["totals"];
}
export type CampaignReport = ProgramReport & { campaignId: string; campaignName: string };

type Range = { from?: Date; to?: Date };

/** A campaign's results per creator; money per currency, the campaign's first. */
export async function campaignReport(
  db: Db,
  storeId: string,
  campaignId: string,
  range: Range = {},
): Promise<CampaignReport> {
  const campaign = await requireCampaign(db, storeId, campaignId);
  const metrics = await programMetrics(db, storeId, campaign.currency, { campaignId, ...range });
  return {
    campaignId,
    campaignName: campaign.name,
    currency: campaign.currency,
    from: range.from ?? null,
    to: range.to ?? null,
    rows: metrics.rows,
    totals: metrics.totals,
  };
}

/** Every campaign of a store together, per creator; money per currency, the store's first. */
export async function storeReport(db: Db, storeId: string, range: Range = {}): Promise<ProgramReport> {
  const store = await requireStore(db, storeId);
  const metrics = await programMetrics(db, storeId, store.currency, range);
  return {
    campaignId: null,
    campaignName: null,
    currency: store.currency,
    from: range.from ?? null,
    to: range.to ?? null,
    rows: metrics.rows,
    totals: metrics.totals,
  };
}

/** The report as JSON: every amount labelled with its currency ({ "amount": "633.00", "currency": "USD" }). */
export function reportJson(report: ProgramReport) {
  const counts = (r: Omit<CreatorReportRow, "creatorId" | "creatorName" | "money">) => ({
    rawClicks: r.rawClicks,
    qualifiedClicks: r.qualifiedClicks,
    signUps: r.signUps,
    purchases: r.purchases,
    refunded: r.refunded,
    cancelled: r.cancelled,
    conversionRate: r.conversionRate,
  });
  return {
    campaignId: report.campaignId,
    campaignName: report.campaignName,
    currency: report.currency,
    from: report.from?.toISOString() ?? null,
    to: report.to?.toISOString() ?? null,
    rows: report.rows.map((r) => ({
      creatorId: r.creatorId,
      creatorName: r.creatorName,
      ...counts(r),
      money: r.money.map(currencyFiguresJson),
    })),
    totals: { ...counts(report.totals), money: report.totals.money.map(currencyFiguresJson) },
  };
}
