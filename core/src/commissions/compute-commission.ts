import { allocateMinorUnits } from "../attribution/allocate-minor-units.ts";
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
 * Commission per credited creator, in input order, adding up exactly to the conversion's commission. That
 * commission is computed once: the exact sum of what each creator's rule earns on its share (a percentage
 * of the creator's credit; a flat fee × weightPpm / 1e6, so the conversion costs one flat fee however many
 * creators share it), rounded half up to the minor unit. It is then split in proportion to those exact
 * shares with the largest-remainder method, so no cent is lost or invented by rounding each creator on
 * its own.
 */
export function splitCommission(creditedCreators: readonly CreditedCreator[]): number[] {
  // Exact shares over a common denominator of 1e10 (basis points × ppm), in BigInt.
  const shares = creditedCreators.map(({ weightPpm, credit, rule }) => {
    assertIntegerIn(weightPpm, 0, PPM, "weightPpm");
    if (rule.type === "percentage") {
      assertMinorUnits(credit, "credit");
      assertIntegerIn(rule.basisPoints, 0, BASIS_POINTS, "basisPoints");
      return BigInt(credit) * BigInt(rule.basisPoints) * BigInt(PPM);
    }
    assertMinorUnits(rule.amount, "flat amount");
    return BigInt(rule.amount) * BigInt(weightPpm) * BigInt(BASIS_POINTS);
  });
  const denominator = BigInt(BASIS_POINTS) * BigInt(PPM);
  const exact = shares.reduce((a, b) => a + b, 0n);
  const total = Number((2n * exact + denominator) / (2n * denominator));
  if (!Number.isSafeInteger(total)) throw new RangeError(`commission ${total} is beyond the safe integer range`);
  if (total === 0) return shares.map(() => 0);
  // Shares as doubles are precise enough to rank remainders; the parts still sum exactly to `total`.
  return allocateMinorUnits(
    total,
    shares.map((share) => Number(share)),
  );
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
