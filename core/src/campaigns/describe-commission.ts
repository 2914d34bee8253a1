import { formatMoney } from "../shared/money.ts";
import type { CommissionRule, CommissionRules, Goal } from "./campaign.ts";

// What a campaign pays, in the words a merchant reads back after creating it: a flat amount always names its
// currency, so "--commission 10" cannot be mistaken for 10%.

const GOAL_NOUNS: Record<Goal, string> = { click: "click", sign_up: "sign-up", purchase: "purchase", custom: "event" };

export function describeCommissionRule(rule: CommissionRule, currency: string, goal: Goal): string {
  return rule.type === "percentage"
    ? `${formatBasisPoints(rule.basisPoints)}% of each ${GOAL_NOUNS[goal]}`
    : `flat ${formatMoney(rule.amount, currency)} per ${GOAL_NOUNS[goal]}`;
}

/** Every goal's rule, in goal order; "no commission" when the campaign pays nothing. */
export function describeCommissionRules(rules: CommissionRules, currency: string): string {
  const parts = (Object.keys(GOAL_NOUNS) as Goal[]).flatMap((goal) => {
    const rule = rules[goal];
    return rule ? [describeCommissionRule(rule, currency, goal)] : [];
  });
  return parts.length > 0 ? parts.join("; ") : "no commission";
}

function formatBasisPoints(basisPoints: number): string {
  return (basisPoints / 100).toFixed(2).replace(/\.?0+$/, "");
}
