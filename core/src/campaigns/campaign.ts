import { z } from "zod";
import { AttributionModelSchema } from "../attribution/index.ts";
import { CommissionBaseSchema, DEFAULT_COMMISSION_BASE } from "../orders/commission-base.ts";
import { CurrencySchema, MinorUnitsSchema } from "../shared/money.ts";
import { CommissionPlanSchema, EMPTY_COMMISSION_PLAN } from "./commission-plan.ts";

export const GOALS = ["click", "sign_up", "purchase", "custom"] as const;
export const GoalSchema = z.enum(GOALS);
export type Goal = z.infer<typeof GoalSchema>;

// Percentages are basis points (1000 = 10.00%) so commissions never involve floats.
export const CommissionRuleSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("percentage"), basisPoints: z.number().int().min(0).max(10_000) }).strict(),
  z.object({ type: z.literal("flat"), amount: MinorUnitsSchema }).strict(),
]);
export type CommissionRule = z.infer<typeof CommissionRuleSchema>;

export const CommissionRulesSchema = z.partialRecord(GoalSchema, CommissionRuleSchema);
export type CommissionRules = z.infer<typeof CommissionRulesSchema>;

/** Per-creator overrides: campaign id -> goal -> rule. */
export const CommissionOverridesSchema = z.record(z.string(), CommissionRulesSchema);
export type CommissionOverrides = z.infer<typeof CommissionOverridesSchema>;

export const CAMPAIGN_STATUSES = ["active", "paused", "ended"] as const;
export const DEFAULT_LOOKBACK_DAYS = 30;
export const MAX_LOOKBACK_DAYS = 90;
export const DEFAULT_HOLDING_DAYS = 30;
export const DEFAULT_HALF_LIFE_DAYS = 7;

export const CampaignSchema = z
  .object({
    id: z.string(),
    storeId: z.string(),
    name: z.string().min(1).max(200),
    status: z.enum(CAMPAIGN_STATUSES),
    goals: z.array(GoalSchema).min(1),
    attributionModel: AttributionModelSchema,
    lookbackDays: z.number().int().min(1).max(MAX_LOOKBACK_DAYS),
    halfLifeDays: z.number().positive().max(MAX_LOOKBACK_DAYS),
    commissionRules: CommissionRulesSchema,
    /** What a percentage rule is a percentage of (orders/commission-base.ts). */
    commissionBase: CommissionBaseSchema.default(DEFAULT_COMMISSION_BASE),
    /** Rates per product and collection, tiers and bonuses for purchases (commission-plan.ts). */
    commissionPlan: CommissionPlanSchema.default(EMPTY_COMMISSION_PLAN),
    minOrderValue: MinorUnitsSchema,
    holdingDays: z.number().int().min(0).max(365),
    budgetCap: MinorUnitsSchema.nullable(),
    budgetUsed: z.number().int(),
    currency: CurrencySchema,
    startsAt: z.date().nullable(),
    endsAt: z.date().nullable(),
  })
  .strict();
export type Campaign = z.infer<typeof CampaignSchema>;

/** What a merchant supplies to create a campaign; everything else has a default. */
export const CampaignInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    goals: z.array(GoalSchema).min(1).default(["purchase"]),
    attributionModel: AttributionModelSchema.default("last_click"),
    lookbackDays: z.number().int().min(1).max(MAX_LOOKBACK_DAYS).default(DEFAULT_LOOKBACK_DAYS),
    halfLifeDays: z.number().positive().max(MAX_LOOKBACK_DAYS).default(DEFAULT_HALF_LIFE_DAYS),
    commissionRules: CommissionRulesSchema.default({ purchase: { type: "percentage", basisPoints: 1000 } }),
    commissionBase: CommissionBaseSchema.default(DEFAULT_COMMISSION_BASE),
    /** Absent when editing: the campaign keeps its plan. */
    commissionPlan: CommissionPlanSchema.optional(),
    minOrderValue: MinorUnitsSchema.default(0),
    holdingDays: z.number().int().min(0).max(365).default(DEFAULT_HOLDING_DAYS),
    budgetCap: MinorUnitsSchema.nullable().default(null),
    currency: CurrencySchema.optional(),
    startsAt: z.coerce.date().nullable().default(null),
    endsAt: z.coerce.date().nullable().default(null),
  })
  .strict()
  .refine((c) => !c.startsAt || !c.endsAt || c.startsAt < c.endsAt, {
    message: "endsAt must be after startsAt",
    path: ["endsAt"],
  });
export type CampaignInput = z.input<typeof CampaignInputSchema>;

/** A campaign accepts conversions at `at` when it is not ended and `at` is inside its dates. */
export function isCampaignLive(campaign: Pick<Campaign, "status" | "startsAt" | "endsAt">, at: Date): boolean {
  if (campaign.status === "ended") return false;
  if (campaign.startsAt && at < campaign.startsAt) return false;
  if (campaign.endsAt && at >= campaign.endsAt) return false;
  return true;
}
