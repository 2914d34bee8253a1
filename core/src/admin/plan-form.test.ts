import { describe, expect, it } from "vitest";
import { CommissionPlanSchema } from "../campaigns/commission-plan.ts";
import { describePlan } from "../campaigns/describe-plan.ts";
import { commissionPlanFormSchema, commissionPlanFormValues, parseForm } from "./forms.ts";

// The campaign page's commission rules form: what a merchant types becomes a plan the server validates again,
// the plan reads back into the same form, and every mistake comes back beside its field.

const filled = {
  "pr.0.target": "product",
  "pr.0.id": "632910392",
  "pr.0.label": "Trail shoe",
  "pr.0.type": "percentage",
  "pr.0.value": "15",
  "pr.1.target": "collection",
  "pr.1.id": "socks",
  "pr.1.type": "per_unit",
  "pr.1.value": "1.50",
  "pr.2.target": "variant",
  "pr.2.id": "gift-wrap",
  "pr.2.type": "excluded",
  "pr.2.value": "",
  "pr.3.target": "product",
  "pr.3.id": "",
  "pr.3.type": "percentage",
  "pr.3.value": "",
  "tiers.metric": "sales",
  "tiers.period": "month",
  "tier.0.threshold": "1000.00",
  "tier.0.rate": "15",
  "tier.1.threshold": "5,000",
  "tier.1.rate": "20",
  "tier.2.threshold": "",
  "tier.2.rate": "",
  "bonus.0.key": "ten-sales",
  "bonus.0.metric": "conversions",
  "bonus.0.period": "month",
  "bonus.0.threshold": "10",
  "bonus.0.amount": "50",
};

describe("commissionPlanFormSchema", () => {
  it("turns the form into a plan, leaving out empty rows, and reads it back into the same values", () => {
    const parsed = parseForm(commissionPlanFormSchema("USD"), filled);
    expect(parsed).toEqual({
      ok: true,
      data: {
        productRules: [
          { target: "product", id: "632910392", label: "Trail shoe", rate: { type: "percentage", basisPoints: 1500 } },
          { target: "collection", id: "socks", rate: { type: "per_unit", amount: 150 } },
          { target: "variant", id: "gift-wrap", rate: { type: "excluded" } },
        ],
        tiers: {
          metric: "sales",
          period: "month",
          steps: [
            { threshold: 100_000, basisPoints: 1500 },
            { threshold: 500_000, basisPoints: 2000 },
          ],
        },
        bonuses: [{ key: "ten-sales", metric: "conversions", period: "month", threshold: 10, amount: 5000 }],
      },
    });
    if (!parsed.ok) return;
    expect(CommissionPlanSchema.parse(parsed.data)).toEqual(parsed.data);
    const again = parseForm(commissionPlanFormSchema("USD"), commissionPlanFormValues(parsed.data, "USD"));
    expect(again).toEqual(parsed);
  });

  it("says what is wrong beside each field", () => {
    const parsed = parseForm(commissionPlanFormSchema("USD"), {
      "pr.0.id": "shoe",
      "pr.0.type": "percentage",
      "pr.0.value": "15",
      "pr.1.id": "shoe",
      "pr.1.type": "per_unit",
      "pr.1.value": "1.555",
      "pr.2.id": "shoe",
      "pr.2.type": "excluded",
      "pr.3.target": "collection",
      "pr.3.id": "hats",
      "pr.3.value": "150",
      "tiers.metric": "conversions",
      "tier.0.threshold": "10",
      "tier.0.rate": "12",
      "tier.1.threshold": "5",
      "tier.1.rate": "15",
      "bonus.0.key": "First Sale",
      "bonus.0.threshold": "1",
      "bonus.0.amount": "10",
      "bonus.1.key": "big",
      "bonus.1.metric": "sales",
      "bonus.1.threshold": "ten",
      "bonus.1.amount": "0",
    });
    expect(parsed).toEqual({
      ok: false,
      errors: {
        "pr.3.value": "must be a percentage from 0 to 100, such as 10 or 12.5",
        "pr.1.value": "The amount per unit must be an amount such as 25.00",
        "pr.2.id": "there is already a rule for product shoe",
        "tier.1.threshold": "each tier's threshold must be above the one before",
        "bonus.0.key": "use 1-40 lowercase letters, digits, - or _",
        "bonus.1.threshold": "The goal must be an amount such as 25.00",
        "bonus.1.amount": "The bonus must be more than 0",
      },
    });
  });
});

describe("describePlan", () => {
  it("explains the rules, the tiers and the bonuses in plain words", () => {
    const parsed = parseForm(commissionPlanFormSchema("USD"), filled);
    if (!parsed.ok) throw new Error("the form should parse");
    expect(describePlan(parsed.data, { type: "percentage", basisPoints: 1000 }, "USD")).toEqual([
      "For each item of an order the most specific rule applies: its variant's, else its product's, else the first of its collections' listed here, else the campaign's rate. Gift cards never earn.",
      "Product Trail shoe (632910392): 15% of the item's price after discounts, without tax.",
      "Collection or category socks: 1.50 USD per unit sold.",
      "Variant gift-wrap: never earns a commission.",
      "A creator earns the campaign's rate (10%) until they reach the first tier in a calendar month, then 15% from 1000.00 USD of sales (tier 1), then 20% from 5000.00 USD of sales (tier 2). The order that reaches a threshold already earns the new rate. Tiers replace the campaign's percentage; product and collection rates stay as set. Each commission records its tier.",
      "ten-sales: a one-time 50.00 USD when a creator reaches 10 conversions in a calendar month, paid once a month at most, through the usual payouts.",
    ]);
    expect(describePlan({ productRules: [], tiers: null, bonuses: [] }, null, "USD")).toEqual([]);
  });
});
