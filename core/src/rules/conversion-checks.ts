import { formatMoney } from "../shared/money.ts";
import { PASS, type RuleInput, type RuleVerdict, reject } from "./rule-verdict.ts";

export function checkDuplicate(input: RuleInput): RuleVerdict {
  return input.conversion.duplicate ? reject("duplicate", "the conversion was already recorded") : PASS;
}

export function checkTestOrder(input: RuleInput): RuleVerdict {
  return input.conversion.isTest ? reject("test_order", "the order is a test order") : PASS;
}

/**
 * A flat commission is an amount in the campaign's currency. An order in another currency cannot be paid
 * it: the amount would be silently reinterpreted (5.00 USD paid as 5 JPY or 5.000 KWD). Platforms that send
 * the order in the shop's currency (Shopify's shop_money) are normalized to it before this; anything still
 * in another currency is rejected here by name. A percentage is of the order's own value and passes.
 */
export function checkCurrencyMismatch(input: RuleInput): RuleVerdict {
  const { conversion, campaign, commission } = input;
  if (commission?.type !== "flat" || conversion.currency === campaign.currency) return PASS;
  const flat = formatMoney(commission.amount, campaign.currency);
  return reject(
    "currency_mismatch",
    `the flat commission of ${flat} cannot be paid on an order in ${conversion.currency}: the order has no amounts in ${campaign.currency}`,
  );
}

/** Only purchases carry an order value worth a minimum; sign-ups, leads and custom goals always pass. */
export function checkBelowMinimumOrder(input: RuleInput): RuleVerdict {
  const { conversion, campaign } = input;
  if (conversion.kind !== "purchase" || campaign.minOrderValue <= 0) return PASS;
  const minimum = formatMoney(campaign.minOrderValue, campaign.currency);
  const value = formatMoney(conversion.value, conversion.currency);
  // Amounts in different currencies cannot be compared here, and passing unchecked would pay a commission
  // the merchant's minimum may exclude; rejecting keeps the conversion visible for review instead.
  if (conversion.currency !== campaign.currency) {
    return reject(
      "below_minimum_order",
      `order value ${value} is not in the campaign currency ${campaign.currency}, so the campaign minimum ${minimum} cannot be checked`,
    );
  }
  if (conversion.value >= campaign.minOrderValue) return PASS;
  return reject("below_minimum_order", `order value ${value} is below the campaign minimum ${minimum}`);
}

/** Both hashes must be known: a missing email proves nothing either way. */
export function checkSelfReferral(input: RuleInput): RuleVerdict {
  const customer = input.conversion.customerEmailHash;
  const creator = input.creator.emailHash;
  if (!customer || !creator || customer !== creator) return PASS;
  return reject("self_referral", "the customer's email address is the creator's own");
}
