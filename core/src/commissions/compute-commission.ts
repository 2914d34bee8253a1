import type { CommissionOverrides, CommissionRule, CommissionRules, Goal } from "../campaigns/campaign.ts";
import { mulDivRoundHalfUp } from "./mul-div.ts";

const BASIS_POINTS = 10_000;
const PPM = 1_000_000;

/**
 * The commission a rule earns on `base` minor units: a percentage of the base rounded half up to the
 * minor unit, or the flat amount whatever the base.
 */
export function computeCommission(rule: CommissionRule, base: number): number {
  assertMinorUnits(base, "base");
  if (rule.type === "flat") return rule.amount;
  assertIntegerIn(rule.basisPoints, 0, BASIS_POINTS, "basisPoints");
  return mulDivRoundHalfUp(base, rule.basisPoints, BASIS_POINTS);
}

export interface CreditedCreator {
  creatorId: string;
  /** The creator's share of the conversion in parts per million, from attribution. */
  weightPpm: number;
  /** The creator's share of the conversion value in minor units, from attribution. */
  credit: number;
  rule: CommissionRule;
}

/**
 * Commission per credited creator, in input order. A percentage rule applies to the creator's own
 * credit. A flat rule is a fee per conversion, so a creator gets flat × weightPpm / 1e6 rounded half up:
 * the conversion costs one flat fee however many creators share it. Each creator is rounded on its own
 * (creators may have different rules), so with the same flat rule for all the total can differ from the
 * flat amount by at most half a minor unit per creator.
 */
export function splitCommission(creditedCreators: readonly CreditedCreator[]): number[] {
  return creditedCreators.map(({ weightPpm, credit, rule }) => {
    assertIntegerIn(weightPpm, 0, PPM, "weightPpm");
    if (rule.type === "percentage") return computeCommission(rule, credit);
    assertMinorUnits(rule.amount, "flat amount");
    return mulDivRoundHalfUp(rule.amount, weightPpm, PPM);
  });
}

/**
 * The rule that pays `goal`: the creator's override for this campaign and goal wins over the campaign's
 * own rule; null when neither has one (the goal earns nothing).
 */
export function resolveRule(
  goal: Goal,
  campaignRules: CommissionRules,
  creatorOverrides: CommissionOverrides | null | undefined,
  campaignId: string,
): CommissionRule | null {
  // Own properties only: campaign ids are arbitrary strings and "constructor" must not find Object.
  const overrides =
    creatorOverrides && Object.hasOwn(creatorOverrides, campaignId) ? creatorOverrides[campaignId] : undefined;
  const override = overrides && Object.hasOwn(overrides, goal) ? overrides[goal] : undefined;
  if (override) return override;
  return Object.hasOwn(campaignRules, goal) ? (campaignRules[goal] ?? null) : null;
}

function assertMinorUnits(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be non-negative integer minor units, got ${value}`);
}

function assertIntegerIn(value: number, min: number, max: number, name: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
