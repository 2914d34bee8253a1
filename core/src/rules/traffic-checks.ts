import { PASS, type RuleInput, type RuleVerdict, reject } from "./rule-verdict.ts";

/**
 * Only clicks the tracker flagged as bots fail. A "repeat" click is the same visitor coming back and
 * still counts; a discount code has no click to judge.
 */
export function checkBotClick(input: RuleInput): RuleVerdict {
  const { touch } = input;
  if (touch.kind !== "click" || touch.qualification !== "bot") return PASS;
  return reject("bot_click", `the click at ${touch.at.toISOString()} was flagged as bot traffic`);
}
