import type { Db } from "../db/client.ts";
import { isUniqueViolation, parseJson, toSafeNumber } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import { requireStore } from "../stores/store.ts";
import {
  type Campaign,
  type CampaignInput,
  CampaignInputSchema,
  CampaignSchema,
  CommissionRulesSchema,
  GoalSchema,
} from "./campaign.ts";
import { type CommissionPlanInput, CommissionPlanSchema } from "./commission-plan.ts";

type CampaignRow = NonNullable<Awaited<ReturnType<Db["campaign"]["findUnique"]>>>;

export function toCampaign(row: CampaignRow): Campaign {
  return CampaignSchema.parse({
    id: row.id,
    storeId: row.storeId,
    name: row.name,
    status: row.status,
    goals: GoalSchema.array().parse(parseJson(row.goals, [])),
    attributionModel: row.attributionModel,
    lookbackDays: row.lookbackDays,
    halfLifeDays: row.halfLifeDays,
    commissionRules: CommissionRulesSchema.parse(parseJson(row.commissionRules, {})),
    commissionBase: row.commissionBase,
    commissionPlan: CommissionPlanSchema.parse(parseJson(row.commissionPlan, {})),
    minOrderValue: toSafeNumber(row.minOrderValue),
    holdingDays: row.holdingDays,
    budgetCap: row.budgetCap === null ? null : toSafeNumber(row.budgetCap),
    budgetUsed: toSafeNumber(row.budgetUsed),
    currency: row.currency,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
  });
}

/** The columns a merchant sets when creating or editing a campaign (the currency is set once, at creation). */
function editableColumns(data: ReturnType<typeof CampaignInputSchema.parse>) {
  return {
    name: data.name,
    goals: JSON.stringify(data.goals),
    attributionModel: data.attributionModel,
    lookbackDays: data.lookbackDays,
    halfLifeDays: data.halfLifeDays,
    commissionRules: JSON.stringify(data.commissionRules),
    commissionBase: data.commissionBase,
    ...(data.commissionPlan ? { commissionPlan: JSON.stringify(data.commissionPlan) } : {}),
    minOrderValue: data.minOrderValue,
    holdingDays: data.holdingDays,
    budgetCap: data.budgetCap,
    startsAt: data.startsAt,
    endsAt: data.endsAt,
  };
}

export async function createCampaign(db: Db, storeId: string, input: CampaignInput): Promise<Campaign> {
  const store = await requireStore(db, storeId);
  // A campaign that does not set its own holding period takes the store's default (payout settings).
  const holdingDays =
    input.holdingDays ??
    (await db.storePayoutSettings.findUnique({ where: { storeId }, select: { holdingDays: true } }))?.holdingDays;
  const data = CampaignInputSchema.parse(holdingDays === undefined ? input : { ...input, holdingDays });
  try {
    const row = await db.campaign.create({
      data: {
        id: newId("cp"),
        storeId,
        ...editableColumns(data),
        currency: data.currency ?? store.currency,
      },
    });
    return toCampaign(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("conflict", `a campaign named "${data.name}" already exists`);
    throw error;
  }
}

export async function getCampaign(db: Db, storeId: string, campaignId: string): Promise<Campaign | null> {
  const row = await db.campaign.findFirst({ where: { id: campaignId, storeId } });
  return row ? toCampaign(row) : null;
}

export async function requireCampaign(db: Db, storeId: string, campaignId: string): Promise<Campaign> {
  const campaign = await getCampaign(db, storeId, campaignId);
  if (!campaign) throw new AppError("not_found", `campaign ${campaignId} not found`);
  return campaign;
}

export async function listCampaigns(db: Db, storeId: string): Promise<Campaign[]> {
  return (await db.campaign.findMany({ where: { storeId }, orderBy: { createdAt: "asc" } })).map(toCampaign);
}

export async function setCampaignStatus(db: Db, storeId: string, campaignId: string, status: Campaign["status"]) {
  const { count } = await db.campaign.updateMany({ where: { id: campaignId, storeId }, data: { status } });
  if (count === 0) throw new AppError("not_found", `campaign ${campaignId} not found`);
}

/**
 * Replaces what a merchant edits on a campaign. The currency stays (commissions and the budget are kept in
 * it); everything else applies to conversions attributed from now on, never to commissions already made.
 */
export async function updateCampaign(
  db: Db,
  storeId: string,
  campaignId: string,
  input: CampaignInput,
): Promise<Campaign> {
  const existing = await requireCampaign(db, storeId, campaignId);
  const data = CampaignInputSchema.parse({ ...input, currency: existing.currency });
  try {
    const { count } = await db.campaign.updateMany({
      where: { id: campaignId, storeId },
      data: editableColumns(data),
    });
    if (count === 0) throw new AppError("not_found", `campaign ${campaignId} not found`);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("conflict", `a campaign named "${data.name}" already exists`);
    throw error;
  }
  return requireCampaign(db, storeId, campaignId);
}

/** Replaces a campaign's commission plan; it applies to conversions credited from now on. */
export async function updateCommissionPlan(
  db: Db,
  storeId: string,
  campaignId: string,
  input: CommissionPlanInput,
): Promise<Campaign> {
  const plan = CommissionPlanSchema.parse(input);
  const { count } = await db.campaign.updateMany({
    where: { id: campaignId, storeId },
    data: { commissionPlan: JSON.stringify(plan) },
  });
  if (count === 0) throw new AppError("not_found", `campaign ${campaignId} not found`);
  return requireCampaign(db, storeId, campaignId);
}

/**
 * Whether any of the store's campaigns pays by collection or category: only then are an order's products'
 * categories worth asking a store's catalogue for (WooCommerce's REST API).
 */
export async function usesCollectionRules(db: Db, storeId: string): Promise<boolean> {
  const found = await db.campaign.findFirst({
    where: { storeId, commissionPlan: { contains: '"target":"collection"' } },
    select: { id: true },
  });
  return found !== null;
}
