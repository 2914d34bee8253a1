/**
 * value × numerator / denominator rounded half up, exactly, for non-negative integers. Commission and
 * pro-rata amounts are integer minor units that may approach 2^53, so the product is taken in BigInt
 * whenever it would not be a safe integer.
 */
export function mulDivRoundHalfUp(value: number, numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(value) || !Number.isSafeInteger(numerator) || value < 0 || numerator < 0) {
    throw new RangeError(`mulDivRoundHalfUp needs non-negative safe integers, got ${value} × ${numerator}`);
  }
  if (!Number.isSafeInteger(denominator) || denominator <= 0) {
    throw new RangeError(`mulDivRoundHalfUp needs a positive safe integer denominator, got ${denominator}`);
  }
  // floor((2·v·n + d) / 2d) is round-half-up for any d, odd or even.
  const twice = 2 * value * numerator + denominator;
  if (twice <= Number.MAX_SAFE_INTEGER) return Math.floor(twice / (2 * denominator));
  const big = (2n * BigInt(value) * BigInt(numerator) + BigInt(denominator)) / (2n * BigInt(denominator));
  const result = Number(big);
  if (!Number.isSafeInteger(result)) throw new RangeError(`mulDivRoundHalfUp result is not a safe integer: ${big}`);
  return result;
}
