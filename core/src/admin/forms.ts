import { z } from "zod";
import { ATTRIBUTION_MODELS } from "../attribution/models.ts";
import {
  type CampaignInput,
  type CommissionRule,
  type CommissionRules,
  GOALS,
  type Goal,
  GoalSchema,
  MAX_LOOKBACK_DAYS,
} from "../campaigns/campaign.ts";
import {
  type Bonus,
  type CommissionPlan,
  type LineRate,
  METRICS,
  type Metric,
  PERIODS,
  type Period,
  type ProductRule,
  RULE_TARGETS,
  type TierStep,
  type Tiers,
} from "../campaigns/commission-plan.ts";
import { COMMISSION_BASES } from "../orders/commission-base.ts";
import { AppError } from "../shared/errors.ts";
import { currencyExponent, toMinorUnits } from "../shared/money.ts";

// The admin's forms, parsed by the same schemas in the browser (before submitting, to show field errors at
// once) and on the server (the only check that counts). Inputs are what a form posts: strings, with money as
// decimal text in the store's currency and percentages as text such as "12.5". Field names are the paths the
// errors come back under, so a page maps each error to its field. Pure: no Node or database imports, so a
// page bundle may import this module.

export type FormValues = Record<string, string | string[]>;

/** FormData (or URLSearchParams) as a plain object; a repeated name becomes an array. */
export function formValues(data: { forEach(cb: (value: FormDataEntryValue, key: string) => void): void }): FormValues {
  const out: FormValues = {};
  data.forEach((value, key) => {
    if (typeof value !== "string") return;
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  });
  return out;
}

/** The first message per field path ("rule.purchase.value"), for a form to show beside each field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join(".") || "form";
    out[path] ??= issue.message;
  }
  return out;
}

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: Record<string, string> };

/** Parses form values with a schema into data or field errors; never throws for bad input. */
export function parseForm<S extends z.ZodType>(schema: S, values: FormValues): FormResult<z.output<S>> {
  const parsed = schema.safeParse(values);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, errors: fieldErrors(parsed.error) };
}

const text = (max: number) => z.string().trim().max(max, `at most ${max} characters`);
const one = z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().optional());

/** A single text field; blank counts as absent. */
function optionalText(max: number) {
  return z.preprocess((v) => {
    const s = Array.isArray(v) ? v[0] : v;
    return typeof s === "string" && s.trim() === "" ? undefined : s;
  }, text(max).optional());
}

function requiredText(label: string, max: number) {
  return z.preprocess((v) => (Array.isArray(v) ? v[0] : (v ?? "")), text(max).min(1, `${label} is required`));
}

function wholeNumber(label: string, min: number, max: number, fallback: number) {
  return z.preprocess(
    (v) => {
      const s = Array.isArray(v) ? v[0] : v;
      if (s === undefined || (typeof s === "string" && s.trim() === "")) return fallback;
      return typeof s === "string" && /^\s*\d+\s*$/.test(s) ? Number(s) : Number.NaN;
    },
    z
      .number({ error: `${label} must be a whole number` })
      .int(`${label} must be a whole number`)
      .min(min, `${label} must be at least ${min}`)
      .max(max, `${label} must be at most ${max}`),
  );
}

const DECIMAL = /^\d{1,13}(\.\d+)?$/;

/** Decimal text in `currency` ("12.50") to integer minor units; blank is `fallback`. */
export function moneyField(currency: string, label: string, fallback: number | null) {
  const exp = currencyExponent(currency);
  return z
    .preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().optional())
    .transform((s, ctx) => {
      const value = (s ?? "").trim().replace(/,/g, "");
      if (value === "") {
        if (fallback === null) return null;
        return fallback;
      }
      const decimals = value.split(".")[1]?.length ?? 0;
      if (!DECIMAL.test(value) || decimals > exp) {
        ctx.addIssue({
          code: "custom",
          message:
            exp === 0
              ? `${label} must be a whole amount in ${currency}`
              : `${label} must be an amount such as ${(25).toFixed(exp)}`,
        });
        return z.NEVER;
      }
      return toMinorUnits(value, currency);
    });
}

/** Percentage text ("12.5") to basis points (1250), 0-100 with at most two decimals. */
const percentageText = z.string().transform((s, ctx) => {
  const value = s.trim().replace(/%$/, "").trim();
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(value) || toMinorUnits(value, "USD") > 10_000) {
    ctx.addIssue({ code: "custom", message: "must be a percentage from 0 to 100, such as 10 or 12.5" });
    return z.NEVER;
  }
  return toMinorUnits(value, "USD");
});

const RULE_TYPES = ["none", "percentage", "flat"] as const;

/** One commission rule from `<prefix>.type` and `<prefix>.value`; null when the type is "none". */
function ruleFrom(
  values: Record<string, unknown>,
  prefix: string,
  currency: string,
  ctx: z.RefinementCtx,
): CommissionRule | null {
  const type = one.parse(values[`${prefix}.type`]) ?? "none";
  const raw = one.parse(values[`${prefix}.value`]) ?? "";
  if (!(RULE_TYPES as readonly string[]).includes(type)) {
    ctx.addIssue({ code: "custom", path: [`${prefix}.type`], message: "choose percentage, flat amount or none" });
    return null;
  }
  if (type === "none") return null;
  if (raw.trim() === "") {
    ctx.addIssue({ code: "custom", path: [`${prefix}.value`], message: "enter the commission" });
    return null;
  }
  if (type === "percentage") {
    const parsed = percentageText.safeParse(raw);
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", path: [`${prefix}.value`], message: parsed.error.issues[0]!.message });
      return null;
    }
    return { type: "percentage", basisPoints: parsed.data };
  }
  const parsed = moneyField(currency, "The amount", null).safeParse(raw);
  if (!parsed.success || parsed.data === null) {
    const message = parsed.success ? "enter the amount" : parsed.error.issues[0]!.message;
    ctx.addIssue({ code: "custom", path: [`${prefix}.value`], message });
    return null;
  }
  return { type: "flat", amount: parsed.data };
}

const DAY_TEXT = /^\d{4}-\d{2}-\d{2}$/;

function dayField(label: string) {
  return z
    .preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().optional())
    .transform((s, ctx) => {
      const value = (s ?? "").trim();
      if (value === "") return null;
      const date = new Date(`${value}T00:00:00.000Z`);
      if (!DAY_TEXT.test(value) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
        ctx.addIssue({ code: "custom", message: `${label} must be a date such as 2026-03-01` });
        return z.NEVER;
      }
      if (value < FIRST_DAY || value > LAST_DAY) {
        ctx.addIssue({ code: "custom", message: `${label} must be between ${FIRST_DAY} and ${LAST_DAY}` });
        return z.NEVER;
      }
      return date;
    });
}

const goalsField = z.preprocess(
  (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
  z.array(GoalSchema, { error: "choose the goals the campaign pays for" }).min(1, "choose at least one goal"),
);

const modelField = z.preprocess(
  (v) => (Array.isArray(v) ? v[0] : v),
  z.enum(ATTRIBUTION_MODELS, { error: "choose an attribution model" }),
);

const commissionBaseField = z.preprocess(
  (v) => (Array.isArray(v) ? v[0] : v === undefined || v === "" ? "items" : v),
  z.enum(COMMISSION_BASES, { error: "choose what percentages are paid on" }),
);

/**
 * The campaign form (create and edit). Goals are checkboxes named `goals`; each goal's commission is
 * `rule.<goal>.type` (none | percentage | flat) and `rule.<goal>.value`. Rules of goals not chosen are
 * ignored. Dates are whole UTC days; the end date is inclusive on the form and exclusive once parsed.
 */
export function campaignFormSchema(currency: string) {
  const fields = z.object({
    name: requiredText("The name", 200),
    goals: goalsField,
    attributionModel: modelField,
    commissionBase: commissionBaseField,
    lookbackDays: wholeNumber("The lookback window", 1, MAX_LOOKBACK_DAYS, 30),
    halfLifeDays: wholeNumber("The half-life", 1, MAX_LOOKBACK_DAYS, 7),
    minOrderValue: moneyField(currency, "The minimum order value", 0),
    holdingDays: wholeNumber("The holding period", 0, 365, 30),
    budgetCap: moneyField(currency, "The budget cap", null),
    startsAt: dayField("The start date"),
    endsAt: dayField("The end date"),
  });
  // The fields and each chosen goal's commission are checked together, so every error shows at once.
  return z.looseObject({}).transform((values, ctx) => {
    const parsed = fields.safeParse(values);
    const goals = goalsField.safeParse(values.goals);
    const commissionRules: CommissionRules = {};
    for (const goal of GOALS) {
      if (!goals.success || !goals.data.includes(goal)) continue;
      const rule = ruleFrom(values, `rule.${goal}`, currency, ctx);
      if (rule) commissionRules[goal] = rule;
    }
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
      return z.NEVER;
    }
    const form = parsed.data;
    const endsAt = form.endsAt ? new Date(form.endsAt.getTime() + 86_400_000) : null;
    if (form.startsAt && endsAt && form.startsAt >= endsAt) {
      ctx.addIssue({ code: "custom", path: ["endsAt"], message: "The end date must be on or after the start date" });
    }
    const input = {
      name: form.name,
      goals: [...new Set(form.goals)],
      attributionModel: form.attributionModel,
      lookbackDays: form.lookbackDays,
      halfLifeDays: form.halfLifeDays,
      commissionRules,
      commissionBase: form.commissionBase,
      minOrderValue: form.minOrderValue ?? 0,
      holdingDays: form.holdingDays,
      budgetCap: form.budgetCap,
      startsAt: form.startsAt,
      endsAt,
    } satisfies CampaignInput;
    return input;
  });
}
export type CampaignForm = z.output<ReturnType<typeof campaignFormSchema>>;

/** Row indexes a form posts for `<prefix>.<i>.<field>` names, in order. */
function rowIndexes(values: Record<string, unknown>, prefix: string): number[] {
  const found = new Set<number>();
  for (const key of Object.keys(values)) {
    const match = new RegExp(`^${prefix}\\.(\\d{1,3})\\.`).exec(key);
    if (match) found.add(Number(match[1]));
  }
  return [...found].sort((a, b) => a - b);
}

const LINE_RATE_TYPES = ["percentage", "per_unit", "excluded"] as const;

/** A whole count ("10") from a form; null and an issue when it is not one. */
function countFrom(raw: string, path: string, ctx: z.RefinementCtx, label: string): number | null {
  if (!/^\s*\d{1,9}\s*$/.test(raw) || Number(raw) < 1) {
    ctx.addIssue({ code: "custom", path: [path], message: `${label} must be a whole number of at least 1` });
    return null;
  }
  return Number(raw);
}

/** Money text from a form in minor units; null and an issue when it is not an amount. */
function amountFrom(raw: string, path: string, ctx: z.RefinementCtx, currency: string, label: string): number | null {
  const parsed = moneyField(currency, label, null).safeParse(raw);
  if (!parsed.success || parsed.data === null || parsed.data <= 0) {
    const message = parsed.success ? `${label} must be more than 0` : parsed.error.issues[0]!.message;
    ctx.addIssue({ code: "custom", path: [path], message });
    return null;
  }
  return parsed.data;
}

/**
 * The campaign's commission plan form: product rules as rows `pr.<i>.target|id|label|type|value` (a row
 * without an id is an empty row and ignored), tiers as `tiers.metric` (none | sales | conversions),
 * `tiers.period` and rows `tier.<i>.threshold|rate`, bonuses as rows `bonus.<i>.key|metric|period|threshold|amount`.
 * Sales thresholds are amounts in the campaign's currency; conversion thresholds whole numbers.
 */
export function commissionPlanFormSchema(currency: string) {
  return z.looseObject({}).transform((values, ctx): CommissionPlan => {
    const field = (name: string) => (one.parse(values[name]) ?? "").trim();
    const productRules: ProductRule[] = [];
    for (const i of rowIndexes(values, "pr")) {
      const id = field(`pr.${i}.id`);
      if (id === "") continue;
      const target = field(`pr.${i}.target`) || "product";
      const type = field(`pr.${i}.type`) || "percentage";
      if (!(RULE_TARGETS as readonly string[]).includes(target)) {
        ctx.addIssue({ code: "custom", path: [`pr.${i}.target`], message: "choose variant, product or collection" });
        continue;
      }
      if (!(LINE_RATE_TYPES as readonly string[]).includes(type)) {
        ctx.addIssue({ code: "custom", path: [`pr.${i}.type`], message: "choose percentage, per unit or excluded" });
        continue;
      }
      let rate: LineRate | null = null;
      if (type === "excluded") rate = { type: "excluded" };
      else if (type === "percentage") {
        const parsed = percentageText.safeParse(field(`pr.${i}.value`));
        if (parsed.success) rate = { type: "percentage", basisPoints: parsed.data };
        else ctx.addIssue({ code: "custom", path: [`pr.${i}.value`], message: parsed.error.issues[0]!.message });
      } else {
        const amount = amountFrom(field(`pr.${i}.value`), `pr.${i}.value`, ctx, currency, "The amount per unit");
        if (amount !== null) rate = { type: "per_unit", amount };
      }
      if (!rate) continue;
      const label = field(`pr.${i}.label`);
      if (id.length > 200 || label.length > 200) {
        ctx.addIssue({ code: "custom", path: [`pr.${i}.id`], message: "at most 200 characters" });
        continue;
      }
      if (productRules.some((r) => r.target === target && r.id === id)) {
        ctx.addIssue({ code: "custom", path: [`pr.${i}.id`], message: `there is already a rule for ${target} ${id}` });
        continue;
      }
      productRules.push({ target: target as ProductRule["target"], id, ...(label ? { label } : {}), rate });
    }
    let tiers: Tiers | null = null;
    const metric = field("tiers.metric") || "none";
    if (metric !== "none") {
      if (!(METRICS as readonly string[]).includes(metric)) {
        ctx.addIssue({ code: "custom", path: ["tiers.metric"], message: "choose sales, conversions or no tiers" });
      } else {
        const period = field("tiers.period") || "month";
        if (!(PERIODS as readonly string[]).includes(period))
          ctx.addIssue({ code: "custom", path: ["tiers.period"], message: "choose a period" });
        const steps: TierStep[] = [];
        for (const i of rowIndexes(values, "tier")) {
          const rawThreshold = field(`tier.${i}.threshold`);
          const rawRate = field(`tier.${i}.rate`);
          if (rawThreshold === "" && rawRate === "") continue;
          const value =
            metric === "sales"
              ? amountFrom(rawThreshold, `tier.${i}.threshold`, ctx, currency, "The threshold")
              : countFrom(rawThreshold, `tier.${i}.threshold`, ctx, "The threshold");
          const rate = percentageText.safeParse(rawRate);
          if (!rate.success)
            ctx.addIssue({ code: "custom", path: [`tier.${i}.rate`], message: rate.error.issues[0]!.message });
          if (value === null || !rate.success) continue;
          if (steps.length > 0 && value <= steps[steps.length - 1]!.threshold) {
            ctx.addIssue({
              code: "custom",
              path: [`tier.${i}.threshold`],
              message: "each tier's threshold must be above the one before",
            });
            continue;
          }
          steps.push({ threshold: value, basisPoints: rate.data });
        }
        if (steps.length === 0)
          ctx.addIssue({
            code: "custom",
            path: ["tiers.metric"],
            message: "add at least one tier, or choose no tiers",
          });
        else tiers = { metric: metric as Metric, period: period as Period, steps };
      }
    }
    const bonuses: Bonus[] = [];
    for (const i of rowIndexes(values, "bonus")) {
      const key = field(`bonus.${i}.key`);
      if (key === "") continue;
      const bonusMetric = field(`bonus.${i}.metric`) || "conversions";
      const period = field(`bonus.${i}.period`) || "month";
      if (!/^[a-z0-9_-]{1,40}$/.test(key)) {
        ctx.addIssue({
          code: "custom",
          path: [`bonus.${i}.key`],
          message: "use 1-40 lowercase letters, digits, - or _",
        });
        continue;
      }
      if (bonuses.some((b) => b.key === key)) {
        ctx.addIssue({ code: "custom", path: [`bonus.${i}.key`], message: `there is already a bonus named ${key}` });
        continue;
      }
      if (!(METRICS as readonly string[]).includes(bonusMetric) || !(PERIODS as readonly string[]).includes(period)) {
        ctx.addIssue({ code: "custom", path: [`bonus.${i}.metric`], message: "choose what counts and the period" });
        continue;
      }
      const reach =
        bonusMetric === "sales"
          ? amountFrom(field(`bonus.${i}.threshold`), `bonus.${i}.threshold`, ctx, currency, "The goal")
          : countFrom(field(`bonus.${i}.threshold`), `bonus.${i}.threshold`, ctx, "The goal");
      const amount = amountFrom(field(`bonus.${i}.amount`), `bonus.${i}.amount`, ctx, currency, "The bonus");
      if (reach === null || amount === null) continue;
      bonuses.push({ key, metric: bonusMetric as Metric, period: period as Period, threshold: reach, amount });
    }
    if (productRules.length > 500)
      ctx.addIssue({ code: "custom", path: ["form"], message: "at most 500 product rules" });
    if (bonuses.length > 20) ctx.addIssue({ code: "custom", path: ["form"], message: "at most 20 bonuses" });
    return { productRules, tiers, bonuses };
  });
}

/** A commission plan as the values its form starts from (no empty rows: the page adds those). */
export function commissionPlanFormValues(plan: CommissionPlan, currency: string): FormValues {
  const values: FormValues = {
    "tiers.metric": plan.tiers?.metric ?? "none",
    "tiers.period": plan.tiers?.period ?? "month",
  };
  plan.productRules.forEach((rule, i) => {
    values[`pr.${i}.target`] = rule.target;
    values[`pr.${i}.id`] = rule.id;
    values[`pr.${i}.label`] = rule.label ?? "";
    values[`pr.${i}.type`] = rule.rate.type;
    values[`pr.${i}.value`] =
      rule.rate.type === "percentage"
        ? basisPointsText(rule.rate.basisPoints)
        : rule.rate.type === "per_unit"
          ? moneyText(rule.rate.amount, currency)
          : "";
  });
  plan.tiers?.steps.forEach((step, i) => {
    values[`tier.${i}.threshold`] =
      plan.tiers!.metric === "sales" ? moneyText(step.threshold, currency) : String(step.threshold);
    values[`tier.${i}.rate`] = basisPointsText(step.basisPoints);
  });
  plan.bonuses.forEach((bonus, i) => {
    values[`bonus.${i}.key`] = bonus.key;
    values[`bonus.${i}.metric`] = bonus.metric;
    values[`bonus.${i}.period`] = bonus.period;
    values[`bonus.${i}.threshold`] =
      bonus.metric === "sales" ? moneyText(bonus.threshold, currency) : String(bonus.threshold);
    values[`bonus.${i}.amount`] = moneyText(bonus.amount, currency);
  });
  return values;
}

/** A per-creator override of one goal's commission in one campaign; type "none" removes the override. */
export function overrideFormSchema(currency: string) {
  return z
    .looseObject({
      creatorId: requiredText("The creator", 100),
      goal: z.preprocess((v) => (Array.isArray(v) ? v[0] : v), GoalSchema),
    })
    .transform((form, ctx) => {
      const rule = ruleFrom(form, "rule", currency, ctx);
      return { creatorId: form.creatorId, goal: form.goal as Goal, rule };
    });
}
export type OverrideForm = z.output<ReturnType<typeof overrideFormSchema>>;

export const CreatorFormSchema = z.object({
  name: requiredText("The name", 200),
  email: optionalText(320).pipe(z.email("enter an email address such as ada@example.com").optional()),
});
export type CreatorForm = z.output<typeof CreatorFormSchema>;

export const DiscountCodeFormSchema = z.object({
  campaignId: requiredText("The campaign", 100),
  code: z.preprocess(
    (v) => (Array.isArray(v) ? v[0] : (v ?? "")),
    z
      .string()
      .trim()
      .min(2, "The code needs at least 2 characters")
      .max(100, "at most 100 characters")
      .regex(/^[^\s]+$/, "The code cannot contain spaces"),
  ),
});
export type DiscountCodeForm = z.output<typeof DiscountCodeFormSchema>;

export const LinkFormSchema = z.object({
  campaignId: requiredText("The campaign", 100),
  destinationUrl: z.preprocess(
    (v) => (Array.isArray(v) ? v[0] : (v ?? "")),
    z
      .string()
      .trim()
      .min(1, "The destination is required")
      .max(2000, "at most 2000 characters")
      .pipe(z.url({ protocol: /^https?$/, error: "enter an http or https address on your store" })),
  ),
  code: optionalText(64).pipe(
    z
      .string()
      .regex(/^[0-9A-Za-z_-]{3,64}$/, "3-64 letters, digits, - or _")
      .optional(),
  ),
});
export type LinkForm = z.output<typeof LinkFormSchema>;

export const ApiKeyFormSchema = z.object({ name: requiredText("The name", 100) });

export const SignInFormSchema = z.object({
  email: requiredText("The email", 320).pipe(z.email("enter the email address you signed up with")),
  password: z.preprocess((v) => (Array.isArray(v) ? v[0] : (v ?? "")), z.string().min(1, "enter your password")),
});

export const SignInLinkFormSchema = z.object({
  email: requiredText("The email", 320).pipe(z.email("enter the email address you signed up with")),
});

export const MIN_PASSWORD_LENGTH = 12;
export const PasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `use at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(1024, "at most 1024 characters");

export const WooConnectFormSchema = z.object({
  url: requiredText("The shop address", 2000).pipe(z.url({ protocol: /^https?$/, error: "enter the shop's address" })),
  key: requiredText("The consumer key", 200).pipe(z.string().regex(/^ck_[A-Za-z0-9]+$/, "should look like ck_…")),
  secret: requiredText("The consumer secret", 200).pipe(z.string().regex(/^cs_[A-Za-z0-9]+$/, "should look like cs_…")),
});

/** Formats minor units back into the text a money field accepts ("" for null). */
export function moneyText(minor: number | null, currency: string): string {
  if (minor === null) return "";
  const exp = currencyExponent(currency);
  const digits = String(minor).padStart(exp + 1, "0");
  return exp === 0 ? digits : `${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}

/** Basis points back into percentage text: 1250 -> "12.5". */
export function basisPointsText(basisPoints: number): string {
  const whole = Math.floor(basisPoints / 100);
  const frac = basisPoints % 100;
  return frac === 0 ? String(whole) : `${whole}.${String(frac).padStart(2, "0").replace(/0$/, "")}`;
}

/** A campaign as the values its edit form starts from. */
export function campaignFormValues(
  campaign: Pick<
    CampaignInput,
    | "name"
    | "goals"
    | "attributionModel"
    | "commissionBase"
    | "lookbackDays"
    | "halfLifeDays"
    | "holdingDays"
    | "commissionRules"
  > & {
    minOrderValue: number;
    budgetCap: number | null;
    startsAt: Date | string | null;
    endsAt: Date | string | null;
  },
  currency: string,
): FormValues {
  const values: FormValues = {
    name: campaign.name,
    goals: [...(campaign.goals ?? [])],
    attributionModel: campaign.attributionModel ?? "last_click",
    commissionBase: campaign.commissionBase ?? "items",
    lookbackDays: String(campaign.lookbackDays ?? 30),
    halfLifeDays: String(campaign.halfLifeDays ?? 7),
    minOrderValue: campaign.minOrderValue === 0 ? "" : moneyText(campaign.minOrderValue, currency),
    holdingDays: String(campaign.holdingDays ?? 30),
    budgetCap: moneyText(campaign.budgetCap, currency),
    startsAt: campaign.startsAt ? new Date(campaign.startsAt).toISOString().slice(0, 10) : "",
    endsAt: campaign.endsAt
      ? new Date(new Date(campaign.endsAt).getTime() - 86_400_000).toISOString().slice(0, 10)
      : "",
  };
  for (const goal of GOALS) {
    const rule = campaign.commissionRules?.[goal];
    values[`rule.${goal}.type`] = rule ? rule.type : "none";
    values[`rule.${goal}.value`] = !rule
      ? ""
      : rule.type === "percentage"
        ? basisPointsText(rule.basisPoints)
        : moneyText(rule.amount, currency);
  }
  return values;
}

/** Search parameters of a date range: `from` and `to` are inclusive UTC days (YYYY-MM-DD). */
export interface DayRange {
  from: Date;
  /** Exclusive: the start of the day after the last day shown. */
  to: Date;
  fromDay: string;
  toDay: string;
}

export const MAX_RANGE_DAYS = 366;
/** The days a range may name: its exclusive end (the day after) must still be a four-digit year. */
export const FIRST_DAY = "1970-01-01";
export const LAST_DAY = "9999-12-30";

/**
 * A range from search parameters, defaulting to the last `defaultDays` days up to today (UTC). Text that is no
 * day at all falls back to the default; a real day outside FIRST_DAY..LAST_DAY is refused (AppError "invalid").
 */
export function dayRangeFrom(params: URLSearchParams, now = new Date(), defaultDays = 30): DayRange {
  const today = new Date(`${now.toISOString().slice(0, 10)}T00:00:00.000Z`);
  const parse = (name: "from" | "to") => {
    const s = params.get(name);
    if (!s || !DAY_TEXT.test(s)) return null;
    const d = new Date(`${s}T00:00:00.000Z`);
    if (Number.isNaN(d.getTime())) return null;
    if (s < FIRST_DAY || s > LAST_DAY) {
      const message = `must be a day from ${FIRST_DAY} to ${LAST_DAY}`;
      throw new AppError("invalid", `${name}: ${message}`, [{ path: name, message }]);
    }
    return d;
  };
  let last = parse("to") ?? today;
  let first = parse("from") ?? new Date(last.getTime() - (defaultDays - 1) * 86_400_000);
  if (first > last) [first, last] = [last, first];
  if ((last.getTime() - first.getTime()) / 86_400_000 >= MAX_RANGE_DAYS) {
    first = new Date(last.getTime() - (MAX_RANGE_DAYS - 1) * 86_400_000);
  }
  const to = new Date(last.getTime() + 86_400_000);
  return { from: first, to, fromDay: first.toISOString().slice(0, 10), toDay: last.toISOString().slice(0, 10) };
}
