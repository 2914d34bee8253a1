import { allocateInto } from "./allocate-minor-units.ts";
import { countEligibleTouches, findEdgeEligibleTouch, selectEligibleTouches } from "./lookback.ts";
import { type AttributionOptions, assertAttributionOptions, assertConversionAt, resolveHalfLifeMs } from "./options.ts";
import type { Touch } from "./touch.ts";
import { writeModelWeights } from "./weights.ts";

export interface Credit {
  touch: Touch;
  /** 0-based index in the eligible, sorted touches. */
  position: number;
  /** Parts per million; the credits of one conversion sum to exactly 1_000_000. */
  weightPpm: number;
  /** Integer minor units; the credits of one conversion sum to exactly its value. */
  amount: number;
}

export const PPM_TOTAL = 1_000_000;

// Reused across calls so the hot path allocates only the credits it returns. Safe because attribute() is
// synchronous and never re-entered.
let weights = new Float64Array(16);
let amounts = new Float64Array(16);
let weightsPpm = new Float64Array(16);
let fractions = new Float64Array(16);

function ensureScratchCapacity(count: number): void {
  if (weights.length >= count) return;
  const capacity = Math.max(count, weights.length * 2);
  weights = new Float64Array(capacity);
  amounts = new Float64Array(capacity);
  weightsPpm = new Float64Array(capacity);
  fractions = new Float64Array(capacity);
}

function creditWholly(touch: Touch, position: number, value: number): Credit[] {
  return [{ touch, position, weightPpm: PPM_TOTAL, amount: value }];
}

/**
 * Splits a conversion of `value` minor units (negative for a clawback) over the touches eligible under
 * `options`. Only touches the model gives a positive weight are credited; [] when none is eligible. The result
 * does not depend on the order of `touches`.
 */
export function attribute(
  touches: readonly Touch[],
  conversionAt: number,
  value: number,
  options: AttributionOptions,
): Credit[] {
  assertAttributionOptions(options);
  assertConversionAt(conversionAt);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`value must be a safe integer number of minor units, got ${String(value)}`);
  }
  // -0 would otherwise come back as a -0 amount from the single-touch path.
  const total = value === 0 ? 0 : value;
  const { model, lookbackDays } = options;
  if (model === "last_click" || model === "first_click") {
    // Single-touch models skip the copy and sort: one pass finds the touch, position is known from the count.
    const edge = model === "last_click" ? "last" : "first";
    const touch = findEdgeEligibleTouch(touches, conversionAt, lookbackDays, edge);
    if (touch === undefined) return [];
    const position = edge === "last" ? countEligibleTouches(touches, conversionAt, lookbackDays) - 1 : 0;
    return creditWholly(touch, position, total);
  }
  const eligible = selectEligibleTouches(touches, conversionAt, lookbackDays);
  const count = eligible.length;
  if (count === 0) return [];
  if (count === 1) return creditWholly(eligible[0]!, 0, total);

  ensureScratchCapacity(count);
  const weightSum = writeModelWeights(model, eligible, count, resolveHalfLifeMs(options.halfLifeDays), weights);
  allocateInto(total, weights, count, weightSum, amounts, fractions);
  allocateInto(PPM_TOTAL, weights, count, weightSum, weightsPpm, fractions);
  const credits: Credit[] = [];
  for (let i = 0; i < count; i++) {
    if (weights[i] === 0) continue;
    credits.push({ touch: eligible[i]!, position: i, weightPpm: weightsPpm[i]!, amount: amounts[i]! });
  }
  return credits;
}
