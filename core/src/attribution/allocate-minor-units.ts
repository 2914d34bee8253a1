// Remainder markers live in the same array as the fractional parts, which are always in [0, 1).
const ALREADY_ROUNDED = -1;
const ZERO_WEIGHT = -2;

/**
 * Largest-remainder split of `total` over the first `count` weights into `out` (integers), using `fractions` as
 * scratch. `weightSum` must be the sum of those weights and > 0. The split is done on |total| and the sign applied
 * afterwards so that clawing back a full refund reverses every part of the original split exactly.
 */
export function allocateInto(
  total: number,
  weights: Float64Array,
  count: number,
  weightSum: number,
  out: Float64Array,
  fractions: Float64Array,
): void {
  // Math.abs also turns a -0 total into +0, so no part comes out as -0.
  const magnitude = Math.abs(total);
  let remainder = magnitude;
  for (let i = 0; i < count; i++) {
    const weight = weights[i]!;
    if (weight === 0) {
      out[i] = 0;
      fractions[i] = ZERO_WEIGHT;
      continue;
    }
    // Normalize first: magnitude / weightSum overflows to Infinity for subnormal weight sums, weight / weightSum
    // never exceeds 1.
    const exact = (weight / weightSum) * magnitude;
    const floor = Math.floor(exact);
    out[i] = floor;
    fractions[i] = exact - floor;
    remainder -= floor;
  }
  // In exact arithmetic 0 <= remainder < count and each unit goes to a distinct part. Rounding in `scale` can push it
  // slightly outside that range, so both loops stay total-preserving rather than assuming it.
  while (remainder > 0) {
    let best = -1;
    let bestFraction = ALREADY_ROUNDED;
    for (let i = 0; i < count; i++) {
      // Strictly greater: on equal fractions the earlier index keeps the unit.
      if (fractions[i]! > bestFraction) {
        best = i;
        bestFraction = fractions[i]!;
      }
    }
    if (best < 0) {
      for (let i = 0; i < count; i++) if (fractions[i] === ALREADY_ROUNDED) fractions[i] = 0;
      continue;
    }
    out[best]! += 1;
    fractions[best] = ALREADY_ROUNDED;
    remainder--;
  }
  while (remainder < 0) {
    let best = -1;
    let bestFraction = 1;
    for (let i = 0; i < count; i++) {
      const fraction = fractions[i]!;
      // Mirror of the loop above: the later index gives up a unit first; a part never goes below zero.
      if (fraction >= 0 && fraction <= bestFraction && out[i]! >= 1) {
        best = i;
        bestFraction = fraction;
      }
    }
    if (best < 0) {
      for (let i = 0; i < count; i++) if (fractions[i] === ALREADY_ROUNDED) fractions[i] = 0;
      continue;
    }
    out[best]! -= 1;
    fractions[best] = ALREADY_ROUNDED;
    remainder++;
  }
  if (total < 0) {
    // 0 - x rather than -x: a zero part must stay +0, not become -0.
    for (let i = 0; i < count; i++) out[i] = 0 - out[i]!;
  }
}

function assertAllocatable(total: number, weights: readonly number[]): number {
  if (!Number.isSafeInteger(total)) {
    throw new RangeError(`total must be a safe integer number of minor units, got ${String(total)}`);
  }
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    const weight = weights[i]!;
    if (!(weight >= 0 && Number.isFinite(weight))) {
      throw new RangeError(`weights must be finite and not negative, got ${String(weight)} at index ${i}`);
    }
    sum += weight;
  }
  if (weights.length > 0 && !(sum > 0 && Number.isFinite(sum))) {
    throw new RangeError(`weights must have a positive finite sum, got ${String(sum)}`);
  }
  if (weights.length === 0 && total !== 0) {
    throw new RangeError(`cannot allocate ${total} over no weights`);
  }
  return sum;
}

/**
 * Splits integer `total` (minor units; 0 or negative for clawbacks) in proportion to `weights` with the
 * largest-remainder method: the parts sum exactly to `total`, each is within 1 of its exact share, and remainder
 * ties go to the earlier index.
 */
export function allocateMinorUnits(total: number, weights: readonly number[]): number[] {
  const weightSum = assertAllocatable(total, weights);
  const count = weights.length;
  if (count === 0) return [];
  const parts = new Float64Array(count);
  allocateInto(total, Float64Array.from(weights), count, weightSum, parts, new Float64Array(count));
  return Array.from(parts);
}
