import { ATTRIBUTION_MODELS, type AttributionModel } from "../attribution/models.ts";
import type { Campaign } from "../campaigns/campaign.ts";
import { requireCampaign, toCampaign } from "../campaigns/campaign-store.ts";
import type { ConversionFacts } from "../conversions/plan-attribution.ts";
import { planAttribution } from "../conversions/plan-attribution.ts";
import type { ResolvedTouch } from "../conversions/touches.ts";
import { type Creator, toCreator } from "../creators/creator.ts";
import { type Db, sql } from "../db/client.ts";
import { andIf, inChunks } from "../db/sql.ts";
import { requireStore } from "../stores/store.ts";
import { conversionInputs, touchesFor } from "./conversion-inputs.ts";

// What choosing a model changes: the same conversions, with the same touches, planned again under each of
// the five models by the very function that attributes them (planAttribution). Which campaign takes a
// conversion does not depend on the model, only how its creators split the credit, so the difference is
// purely who gets how much. Credit is the order value before refunds; commissions are what each creator would
// earn before budget caps and refunds. Cancelled orders and shares a rule rejects count under no model.

export interface ModelFigures {
  /** Conversions the creator shares in. */
  conversions: number;
  /** Attributed value in minor units. */
  credit: number;
  /** Commission in minor units, before budget caps and refunds. */
  commission: number;
}

export interface ComparisonItem {
  touches: readonly ResolvedTouch[];
  facts: ConversionFacts;
}

export interface ModelComparison {
  models: readonly AttributionModel[];
  totals: Record<AttributionModel, ModelFigures>;
  creators: { creatorId: string; name: string; byModel: Record<AttributionModel, ModelFigures> }[];
}

const zero = (): ModelFigures => ({ conversions: 0, credit: 0, commission: 0 });
const perModel = () =>
  Object.fromEntries(ATTRIBUTION_MODELS.map((m) => [m, zero()])) as Record<AttributionModel, ModelFigures>;

/** Pure: plans every item under every model and adds up each creator's credit and commission. */
export function compareModels(
  items: readonly ComparisonItem[],
  campaigns: ReadonlyMap<string, Campaign>,
  creators: ReadonlyMap<string, Creator>,
): ModelComparison {
  const totals = perModel();
  const byCreator = new Map<string, Record<AttributionModel, ModelFigures>>();
  for (const model of ATTRIBUTION_MODELS) {
    const asModel = new Map([...campaigns].map(([id, c]) => [id, { ...c, attributionModel: model }]));
    for (const item of items) {
      const plan = planAttribution(item.touches, asModel, creators, item.facts);
      if (!plan.campaign || plan.credits.length === 0) continue;
      const credited = new Map<string, number>();
      for (const c of plan.credits) credited.set(c.touch.creatorId, (credited.get(c.touch.creatorId) ?? 0) + c.amount);
      // A share a rule rejects (a test order, a self-referral, a bot click) is not a result under any model.
      const rejected = new Set(plan.commissions.filter((c) => !c.verdict.ok).map((c) => c.creatorId));
      const earned = new Map(plan.commissions.map((c) => [c.creatorId, c.amount]));
      if ([...credited.keys()].every((id) => rejected.has(id))) continue;
      totals[model].conversions += 1;
      for (const [creatorId, credit] of credited) {
        if (rejected.has(creatorId)) continue;
        let figures = byCreator.get(creatorId);
        if (!figures) {
          figures = perModel();
          byCreator.set(creatorId, figures);
        }
        const commission = earned.get(creatorId) ?? 0;
        figures[model].conversions += 1;
        figures[model].credit += credit;
        figures[model].commission += commission;
        totals[model].credit += credit;
        totals[model].commission += commission;
      }
    }
  }
  const rows = [...byCreator].map(([creatorId, byModel]) => ({
    creatorId,
    name: creators.get(creatorId)?.name ?? creatorId,
    byModel,
  }));
  rows.sort(
    (a, b) =>
      Math.max(...ATTRIBUTION_MODELS.map((m) => b.byModel[m].credit)) -
        Math.max(...ATTRIBUTION_MODELS.map((m) => a.byModel[m].credit)) || a.name.localeCompare(b.name),
  );
  return { models: ATTRIBUTION_MODELS, totals, creators: rows };
}

export interface ModelComparisonQuery {
  from: Date;
  to: Date;
  campaignId?: string | null;
  /** The most recent conversions compared (default 500: enough to see the shares, fast enough for a page). */
  limit?: number;
}

export interface StoreModelComparison extends ModelComparison {
  currency: string;
  /** Conversions compared. */
  compared: number;
  /** Older conversions of the range were left out (the most recent `limit` are compared). */
  truncated: boolean;
  /** Conversions in another currency than `currency`, left out. */
  otherCurrency: number;
  /** The model each campaign in the comparison uses today. */
  campaigns: { id: string; name: string; model: AttributionModel }[];
}

/**
 * The store's attributed (or rule-rejected) conversions in the range, replanned under every model. The
 * campaigns and creators are as they are now, so the figures answer "what would this model pay".
 */
export async function modelComparison(
  db: Db,
  storeId: string,
  query: ModelComparisonQuery,
): Promise<StoreModelComparison> {
  const store = await requireStore(db, storeId);
  const campaignId = query.campaignId || null;
  if (campaignId) await requireCampaign(db, storeId, campaignId);
  const limit = query.limit ?? 500;
  const filter = sql`c."storeId" = ${storeId} AND c."occurredAt" >= ${query.from} AND c."occurredAt" < ${query.to}
    AND c.status IN ('attributed', 'rejected')
    AND NOT EXISTS (SELECT 1 FROM "Order" o WHERE o.id = c."orderId" AND o."storeId" = ${storeId} AND o.status = 'reversed')
    AND EXISTS (SELECT 1 FROM "Attribution" a WHERE a."conversionId" = c.id AND a."storeId" = ${storeId}
      ${andIf(campaignId, sql`a."campaignId" = ${campaignId}`)})`;
  // One more than the limit tells whether older conversions were left out, without counting them all.
  const found = await db.$queryRaw<{ id: string }[]>(
    sql`SELECT c.id FROM "Conversion" c WHERE ${filter} ORDER BY c."occurredAt" DESC, c.id DESC LIMIT ${limit + 1}`,
  );
  const ids = found.slice(0, limit);
  const rows = await inChunks(
    ids.map((r) => r.id),
    (chunk) => db.conversion.findMany({ where: { storeId, id: { in: chunk } } }),
  );
  const campaignRows = await db.campaign.findMany({ where: { storeId } });
  const campaigns = new Map(campaignRows.map((r) => [r.id, toCampaign(r)]));
  const currency = campaignId ? (campaigns.get(campaignId)?.currency ?? store.currency) : store.currency;
  const inCurrency = rows.filter((r) => r.currency === currency);
  const inputs = await conversionInputs(db, storeId, inCurrency);
  const touches = await touchesFor(db, storeId, inputs);
  const creatorIds = [...new Set(touches.flat().map((t) => t.creatorId))];
  const creators = new Map(
    (await inChunks(creatorIds, (chunk) => db.creator.findMany({ where: { storeId, id: { in: chunk } } }))).map((r) => [
      r.id,
      toCreator(r),
    ]),
  );
  // With a campaign chosen, only that campaign's touches take part (as its report would show).
  const scoped = campaignId ? new Map([...campaigns].filter(([id]) => id === campaignId)) : campaigns;
  const comparison = compareModels(
    inputs.map((input, i) => ({ touches: touches[i]!, facts: input.facts })),
    scoped,
    creators,
  );
  return {
    ...comparison,
    currency,
    compared: inCurrency.length,
    truncated: found.length > limit,
    otherCurrency: rows.length - inCurrency.length,
    campaigns: [...scoped.values()]
      .filter((c) => !campaignId || c.id === campaignId)
      .map((c) => ({ id: c.id, name: c.name, model: c.attributionModel })),
  };
}
