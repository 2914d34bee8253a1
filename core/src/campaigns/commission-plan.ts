import { z } from "zod";
import { MinorUnitsSchema } from "../shared/money.ts";

// What a campaign pays beyond its one rate per goal: rates per product, variant and collection, tiers that
// step a creator's rate up as they sell more in a period, and one-time bonuses for reaching a goal in a
// period. Node-free (zod only): the admin's campaign form validates with the same schemas the server does.

const ID = z.string().trim().min(1).max(200);

/** A line's rate: a percentage of the line's items base, a flat amount per unit sold, or nothing at all. */
export const LineRateSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("percentage"), basisPoints: z.number().int().min(0).max(10_000) }).strict(),
  z.object({ type: z.literal("per_unit"), amount: MinorUnitsSchema }).strict(),
  z.object({ type: z.literal("excluded") }).strict(),
]);
export type LineRate = z.infer<typeof LineRateSchema>;

export const RULE_TARGETS = ["variant", "product", "collection"] as const;
export type RuleTarget = (typeof RULE_TARGETS)[number];

/** Most specific first: a variant's rule beats its product's, which beats its collections'. */
export const TARGET_SPECIFICITY: Record<RuleTarget, number> = { variant: 3, product: 2, collection: 1 };

export const ProductRuleSchema = z
  .object({
    target: z.enum(RULE_TARGETS),
    /** The platform's id of the variant, product or collection (WooCommerce: category). */
    id: ID,
    /** What the merchant calls it, for the page; never matched on. */
    label: z.string().trim().max(200).optional(),
    rate: LineRateSchema,
  })
  .strict();
export type ProductRule = z.infer<typeof ProductRuleSchema>;

export const PERIODS = ["month", "quarter", "year", "campaign"] as const;
export const PeriodSchema = z.enum(PERIODS);
export type Period = z.infer<typeof PeriodSchema>;

/** What counts towards a tier or a bonus: the creator's sales (items base, minor units) or conversions. */
export const METRICS = ["sales", "conversions"] as const;
export const MetricSchema = z.enum(METRICS);
export type Metric = z.infer<typeof MetricSchema>;

/** A rate for the default lines of orders from the threshold on. */
export const TierStepSchema = z
  .object({
    /** Sales in minor units or a number of conversions, counting the order being credited. */
    threshold: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    basisPoints: z.number().int().min(0).max(10_000),
  })
  .strict();
export type TierStep = z.infer<typeof TierStepSchema>;

export const TiersSchema = z
  .object({ metric: MetricSchema, period: PeriodSchema, steps: z.array(TierStepSchema).min(1).max(20) })
  .strict()
  .refine((t) => t.steps.every((s, i) => i === 0 || s.threshold > t.steps[i - 1]!.threshold), {
    message: "tier thresholds must go up, each above the one before",
    path: ["steps"],
  });
export type Tiers = z.infer<typeof TiersSchema>;

export const BonusSchema = z
  .object({
    /** Stable key of the bonus: a creator earns each bonus once per period. */
    key: z
      .string()
      .trim()
      .regex(/^[a-z0-9_-]{1,40}$/, "use 1-40 lowercase letters, digits, - or _"),
    metric: MetricSchema,
    period: PeriodSchema,
    /** Reached when the creator's sales (minor units) or conversions in the period get to this. */
    threshold: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    amount: MinorUnitsSchema.refine((a) => a > 0, "a bonus pays something"),
  })
  .strict();
export type Bonus = z.infer<typeof BonusSchema>;

export const CommissionPlanSchema = z
  .object({
    productRules: z.array(ProductRuleSchema).max(500).default([]),
    tiers: TiersSchema.nullable().default(null),
    bonuses: z.array(BonusSchema).max(20).default([]),
  })
  .strict()
  .refine((p) => new Set(p.productRules.map((r) => `${r.target}:${r.id}`)).size === p.productRules.length, {
    message: "each variant, product and collection can have one rule",
    path: ["productRules"],
  })
  .refine((p) => new Set(p.bonuses.map((b) => b.key)).size === p.bonuses.length, {
    message: "each bonus needs its own key",
    path: ["bonuses"],
  });
export type CommissionPlan = z.infer<typeof CommissionPlanSchema>;
export type CommissionPlanInput = z.input<typeof CommissionPlanSchema>;

export const EMPTY_COMMISSION_PLAN: CommissionPlan = { productRules: [], tiers: null, bonuses: [] };

export function isEmptyPlan(plan: CommissionPlan): boolean {
  return plan.productRules.length === 0 && plan.tiers === null && plan.bonuses.length === 0;
}
