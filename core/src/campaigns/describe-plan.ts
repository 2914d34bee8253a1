import { formatMinorUnits } from "../shared/money.ts";
import type { CommissionRule } from "./campaign.ts";
import type { Bonus, CommissionPlan, LineRate, Metric, Period, ProductRule, Tiers } from "./commission-plan.ts";

// A campaign's commission plan in plain words, for the campaign page and the CLI: what each rule pays, which
// rule wins, how tiers step up and when bonuses are paid. Node-free, so the page renders the same sentences.

const TARGET_NOUNS = { variant: "Variant", product: "Product", collection: "Collection or category" } as const;

const PERIOD_WORDS: Record<Period, string> = {
  month: "in a calendar month",
  quarter: "in a calendar quarter",
  year: "in a calendar year",
  campaign: "over the campaign's life",
};

const ONCE_WORDS: Record<Period, string> = {
  month: "once a month",
  quarter: "once a quarter",
  year: "once a year",
  campaign: "once",
};

function percent(basisPoints: number): string {
  return `${(basisPoints / 100).toFixed(2).replace(/\.?0+$/, "")}%`;
}

function money(amount: number, currency: string): string {
  return `${formatMinorUnits(amount, currency)} ${currency}`;
}

export function describeLineRate(rate: LineRate, currency: string): string {
  if (rate.type === "percentage")
    return `${percent(rate.basisPoints)} of the item's price after discounts, without tax`;
  if (rate.type === "per_unit") return `${money(rate.amount, currency)} per unit sold`;
  return "never earns a commission";
}

export function describeProductRule(rule: ProductRule, currency: string): string {
  const name = rule.label ? `${rule.label} (${rule.id})` : rule.id;
  return `${TARGET_NOUNS[rule.target]} ${name}: ${describeLineRate(rule.rate, currency)}.`;
}

function threshold(metric: Metric, value: number, currency: string): string {
  return metric === "sales" ? `${money(value, currency)} of sales` : `${value} conversion${value === 1 ? "" : "s"}`;
}

export function describeTiers(tiers: Tiers, base: CommissionRule | null, currency: string): string {
  const baseText =
    base?.type === "percentage"
      ? percent(base.basisPoints)
      : base
        ? `${money(base.amount, currency)} per order`
        : "nothing";
  const steps = tiers.steps.map(
    (s, i) => `${percent(s.basisPoints)} from ${threshold(tiers.metric, s.threshold, currency)} (tier ${i + 1})`,
  );
  return (
    `A creator earns the campaign's rate (${baseText}) until they reach the first tier ${PERIOD_WORDS[tiers.period]}, then ${steps.join(", then ")}. ` +
    "The order that reaches a threshold already earns the new rate. Tiers replace the campaign's percentage; product and collection rates stay as set. Each commission records its tier."
  );
}

export function describeBonus(bonus: Bonus, currency: string): string {
  return `${bonus.key}: a one-time ${money(bonus.amount, currency)} when a creator reaches ${threshold(bonus.metric, bonus.threshold, currency)} ${PERIOD_WORDS[bonus.period]}, paid ${ONCE_WORDS[bonus.period]} at most, through the usual payouts.`;
}

/** Every sentence of the plan, in the order the page shows them; empty for a plan with nothing in it. */
export function describePlan(plan: CommissionPlan, base: CommissionRule | null, currency: string): string[] {
  const lines: string[] = [];
  if (plan.productRules.length > 0) {
    lines.push(
      "For each item of an order the most specific rule applies: its variant's, else its product's, else the first of its collections' listed here, else the campaign's rate. Gift cards never earn.",
    );
    for (const rule of plan.productRules) lines.push(describeProductRule(rule, currency));
  }
  if (plan.tiers) lines.push(describeTiers(plan.tiers, base, currency));
  for (const bonus of plan.bonuses) lines.push(describeBonus(bonus, currency));
  return lines;
}
