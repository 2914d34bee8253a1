export {
  checkBelowMinimumOrder,
  checkCurrencyMismatch,
  checkDuplicate,
  checkSelfReferral,
  checkTestOrder,
} from "./conversion-checks.ts";
export { evaluateRules, RULES } from "./evaluate-rules.ts";
export type { RuleCheck, RuleInput, RuleName, RuleVerdict } from "./rule-verdict.ts";
export { PASS, RULE_NAMES, RuleNameSchema, reject } from "./rule-verdict.ts";
export { checkOutsideCampaignDates, checkOutsideLookback } from "./timing-checks.ts";
export { checkBotClick } from "./traffic-checks.ts";
