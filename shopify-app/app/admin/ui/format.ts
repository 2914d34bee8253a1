import { displayMoney } from "@trailmark/core/browser";

// Display formatting for the admin pages (server and browser alike): rates, counts,
// dates in UTC so that the server's render and the browser's hydration agree.

export function formatNumber(n: number): string {
  return new Intl.NumberFormat("en-US").format(n);
}

export function formatPercent(ratio: number, digits = 1): string {
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function formatRatio(ratio: number | null): string {
  return ratio === null ? "–" : `${ratio.toFixed(2)}×`;
}

export function formatDate(value: Date | string | null): string {
  if (!value) return "–";
  return new Date(value).toLocaleDateString("en-US", {
    timeZone: "UTC",
    year: "numeric",
    month: "short",
    day: "numeric",
  });
}

export function formatDateTime(value: Date | string | null): string {
  if (!value) return "–";
  return `${new Date(value).toLocaleString("en-US", {
    timeZone: "UTC",
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  })} UTC`;
}

export const MODEL_LABELS: Record<string, string> = {
  last_click: "Last click",
  first_click: "First click",
  linear: "Linear",
  time_decay: "Time decay",
  position_based: "Position based",
};

export const GOAL_LABELS: Record<string, string> = {
  purchase: "Purchase",
  sign_up: "Sign-up",
  click: "Click",
  custom: "Custom event",
};

export const KIND_LABELS: Record<string, string> = {
  purchase: "Order",
  sign_up: "Sign-up",
  lead: "Lead",
  custom: "Custom",
};

export const RULE_LABELS: Record<string, string> = {
  duplicate: "Duplicate",
  test_order: "Test order",
  currency_mismatch: "Flat commission in another currency",
  outside_campaign_dates: "Outside campaign dates",
  outside_lookback: "Outside lookback window",
  below_minimum_order: "Below minimum order",
  self_referral: "Self-referral",
  bot_click: "Bot click",
  over_budget: "Over budget",
};

export function ruleText(
  rule: { type: "percentage"; basisPoints: number } | { type: "flat"; amount: number },
  currency: string,
) {
  return rule.type === "percentage" ? `${rule.basisPoints / 100}%` : `${displayMoney(rule.amount, currency)} flat`;
}
