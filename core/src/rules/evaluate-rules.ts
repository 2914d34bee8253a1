import {
  checkBelowMinimumOrder,
  checkCurrencyMismatch,
  checkDuplicate,
  checkSelfReferral,
  checkTestOrder,
} from "./conversion-checks.ts";
import { PASS, RULE_NAMES, type RuleCheck, type RuleInput, type RuleName, type RuleVerdict } from "./rule-verdict.ts";
import { checkOutsideCampaignDates, checkOutsideLookback } from "./timing-checks.ts";
import { checkBotClick } from "./traffic-checks.ts";

// A record keyed by every rule name makes a rule without a check a type error; the list order comes
// from RULE_NAMES alone.
const CHECKS: Record<RuleName, RuleCheck> = {
  duplicate: checkDuplicate,
  test_order: checkTestOrder,
  currency_mismatch: checkCurrencyMismatch,
  outside_campaign_dates: checkOutsideCampaignDates,
  outside_lookback: checkOutsideLookback,
  below_minimum_order: checkBelowMinimumOrder,
  self_referral: checkSelfReferral,
  bot_click: checkBotClick,
};

export const RULES: readonly { readonly name: RuleName; readonly check: RuleCheck }[] = RULE_NAMES.map((name) => ({
  name,
  check: CHECKS[name],
}));

/** The first failing rule in RULE_NAMES order, with its reason; ok when every rule passes. */
export function evaluateRules(input: RuleInput): RuleVerdict {
  for (const { check } of RULES) {
    const verdict = check(input);
    if (!verdict.ok) return verdict;
  }
  return PASS;
}
