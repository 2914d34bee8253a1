import { z } from "zod";
import type { Campaign } from "../campaigns/campaign.ts";

// The order is the order of evaluation: the first failing rule is the one recorded, so cheap, certain
// facts about the conversion come before judgements about timing, value and traffic quality.
export const RULE_NAMES = [
  "duplicate",
  "test_order",
  "currency_mismatch",
  "outside_campaign_dates",
  "outside_lookback",
  "below_minimum_order",
  "self_referral",
  "bot_click",
] as const;
export const RuleNameSchema = z.enum(RULE_NAMES);
export type RuleName = z.infer<typeof RuleNameSchema>;

export interface RuleInput {
  conversion: {
    kind: "purchase" | "sign_up" | "lead" | "custom";
    /** Minor units of `currency`. */
    value: number;
    currency: string;
    occurredAt: Date;
    isTest: boolean;
    customerEmailHash: string | null;
    /** Set by the caller when a conversion with the same identity was already recorded. */
    duplicate: boolean;
  };
  campaign: Pick<Campaign, "status" | "startsAt" | "endsAt" | "lookbackDays" | "minOrderValue" | "currency">;
  creator: { emailHash: string | null };
  touch: { kind: "click" | "discount_code"; at: Date; qualification: "qualified" | "repeat" | "bot" | null };
  /** The commission rule that would pay the creator, when one does. */
  commission?: { type: "percentage" } | { type: "flat"; amount: number } | null;
}

export type RuleVerdict = { ok: true } | { ok: false; rule: RuleName; reason: string };

export type RuleCheck = (input: RuleInput) => RuleVerdict;

export const PASS: RuleVerdict = Object.freeze({ ok: true });

export function reject(rule: RuleName, reason: string): RuleVerdict {
  return { ok: false, rule, reason };
}
