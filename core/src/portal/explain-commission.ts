import type { MessageKey, Params, Translator } from "./i18n.ts";

// Pure: why a commission is worth less than it would have been, in a sentence a creator understands, with the
// named rule behind it. Only the creator's own commission and the order's amounts go in; nothing about the
// customer or other creators.

export interface ExplainInput {
  commission: {
    status: string;
    rule: string | null;
    reason: string | null;
    amount: number;
    original: number;
    currency: string;
    reversedAt: Date | null;
    updatedAt: Date;
  };
  /** The order behind a purchase; null for sign-ups and other events. */
  order: { status: string; total: number; refunded: number; currency: string; changedAt: Date } | null;
  campaign: { lookbackDays: number; minOrderValue: number; currency: string } | null;
}

export interface Explanation {
  /** The named rule: a validation rule, over_budget, refund or cancellation. */
  rule: string;
  key: MessageKey;
  params: Params;
}

const RULE_SENTENCES: Record<string, MessageKey> = {
  duplicate: "why.duplicate",
  test_order: "why.test_order",
  outside_campaign_dates: "why.outside_campaign_dates",
  outside_lookback: "why.outside_lookback",
  below_minimum_order: "why.below_minimum_order",
  self_referral: "why.self_referral",
  bot_click: "why.bot_click",
};

/** What a creator sees as the status: a commission cut by a partial refund is "reduced". */
export function displayStatus(c: { status: string; amount: number; original: number }): string {
  if ((c.status === "pending" || c.status === "approved" || c.status === "paid") && c.amount < c.original)
    return "reduced";
  return c.status;
}

/** Null when nothing was taken off the commission. Money values in params are already formatted. */
export function explainCommission(input: ExplainInput, f: Translator): Explanation | null {
  const { commission: c, order, campaign } = input;
  const money = (amount: number, currency = c.currency) => f.money(amount, currency);
  if (c.status === "rejected") {
    const rule = c.rule ?? "rejected";
    const key = RULE_SENTENCES[rule];
    if (!key) return { rule, key: "why.unknown", params: { rule } };
    return {
      rule,
      key,
      params: {
        days: campaign?.lookbackDays ?? 0,
        minimum: campaign ? money(campaign.minOrderValue, campaign.currency) : "",
      },
    };
  }
  if (c.status === "over_budget") {
    const currency = /order currency (\w+) differs/.exec(c.reason ?? "")?.[1];
    return currency
      ? { rule: "over_budget", key: "why.over_budget_currency", params: { currency } }
      : { rule: "over_budget", key: "why.over_budget", params: {} };
  }
  const lost = c.status === "reversed" || c.amount < c.original;
  if (!lost) return null;
  const refundParams = (at: Date) => ({
    date: f.date(at),
    refunded: order ? money(Math.min(order.refunded, order.total), order.currency) : "",
    total: order ? money(order.total, order.currency) : "",
    original: money(c.original),
    amount: money(c.amount),
  });
  if (c.status === "reversed" || c.amount === 0) {
    const at = c.reversedAt ?? order?.changedAt ?? c.updatedAt;
    if (order && order.status !== "reversed" && order.refunded > 0)
      return { rule: "refund", key: "why.refundedFully", params: refundParams(at) };
    return { rule: "cancellation", key: "why.cancelled", params: refundParams(at) };
  }
  return { rule: "refund", key: "why.refundedPartly", params: refundParams(order?.changedAt ?? c.updatedAt) };
}
