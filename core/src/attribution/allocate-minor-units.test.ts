import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocateMinorUnits } from "./allocate-minor-units.ts";

const weightsArbitrary = fc
  .array(
    fc.oneof(
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer({ min: 0, max: 5 }),
      fc.double({ min: 1e-12, max: 1e6, noNaN: true }),
    ),
    { minLength: 1, maxLength: 20 },
  )
  .filter((weights) => weights.some((weight) => weight > 0));

const totalArbitrary = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 }),
);

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

describe("allocateMinorUnits", () => {
  it("splits 100.00 three ways as 33.34, 33.33, 33.33 with the remainder on the earliest part", () => {
    expect(allocateMinorUnits(10_000, [1, 1, 1])).toEqual([3334, 3333, 3333]);
  });

  it("gives remainder units to the largest fractional parts before the earlier index", () => {
    expect(allocateMinorUnits(1, [1, 2])).toEqual([0, 1]);
    expect(allocateMinorUnits(2, [1, 1, 1])).toEqual([1, 1, 0]);
  });

  it("mirrors the positive split exactly for a clawback so a full refund reverses every part", () => {
    expect(allocateMinorUnits(-10_000, [1, 1, 1])).toEqual([-3334, -3333, -3333]);
  });

  it("returns positive zeros for a zero total", () => {
    const parts = allocateMinorUnits(0, [1, 2, 3]);
    expect(parts).toEqual([0, 0, 0]);
    expect(parts.some((part) => Object.is(part, -0))).toBe(false);
    expect(allocateMinorUnits(-1, [0, 1]).some((part) => Object.is(part, -0))).toBe(false);
    expect(Object.is(allocateMinorUnits(-0, [1])[0], -0)).toBe(false);
  });

  it("does not need normalized weights", () => {
    expect(allocateMinorUnits(999, [2, 2, 4])).toEqual(allocateMinorUnits(999, [0.25, 0.25, 0.5]));
  });

  it("never hands a remainder unit to a zero weight", () => {
    expect(allocateMinorUnits(1, [0, 1, 1])).toEqual([0, 1, 0]);
    expect(allocateMinorUnits(5, [0, 0, 3])).toEqual([0, 0, 5]);
  });

  it("returns an empty split for no weights and a zero total", () => {
    expect(allocateMinorUnits(0, [])).toEqual([]);
  });

  it("still sums exactly when floating-point rounding overshoots or undershoots the floors of huge totals", () => {
    // Found by fuzzing: the computed share of a single weight rounds above the total itself.
    expect(allocateMinorUnits(7_788_010_813_629_806, [0.186])).toEqual([7_788_010_813_629_806]);
    // And here the floors fall short by more units than there are parts.
    const parts = allocateMinorUnits(8_639_270_908_669_074, [0.592, 0.617, 0.219]);
    // BigInt: a float sum of parts this large would round and hide an off-by-one.
    expect(parts.reduce((total, part) => total + BigInt(part), 0n)).toBe(8_639_270_908_669_074n);
    expect(parts.every(Number.isSafeInteger)).toBe(true);
  });

  it("splits over subnormal weights without overflowing", () => {
    expect(allocateMinorUnits(1_000_000, [5e-324, 5e-324])).toEqual([500_000, 500_000]);
  });

  it("rejects a total that is not a safe integer", () => {
    expect(() => allocateMinorUnits(1.5, [1])).toThrow(RangeError);
    expect(() => allocateMinorUnits(Number.NaN, [1])).toThrow(/total must be a safe integer/);
    expect(() => allocateMinorUnits(2 ** 53, [1])).toThrow(RangeError);
  });

  it("rejects negative, infinite or NaN weights and weights that sum to zero", () => {
    expect(() => allocateMinorUnits(10, [1, -1])).toThrow(/finite and not negative, got -1 at index 1/);
    expect(() => allocateMinorUnits(10, [Number.NaN])).toThrow(RangeError);
    expect(() => allocateMinorUnits(10, [Number.POSITIVE_INFINITY])).toThrow(RangeError);
    expect(() => allocateMinorUnits(10, [0, 0])).toThrow(/positive finite sum/);
    expect(() => allocateMinorUnits(10, [])).toThrow(/over no weights/);
  });

  it("always sums exactly to the total", () => {
    fc.assert(
      fc.property(totalArbitrary, weightsArbitrary, (total, weights) => {
        const parts = allocateMinorUnits(total, weights);
        expect(parts).toHaveLength(weights.length);
        expect(parts.every(Number.isInteger)).toBe(true);
        expect(sum(parts)).toBe(total);
      }),
    );
  });

  it("keeps every part within 1 of its exact share", () => {
    fc.assert(
      fc.property(totalArbitrary, weightsArbitrary, (total, weights) => {
        const weightSum = sum(weights);
        const parts = allocateMinorUnits(total, weights);
        // The reference share is itself computed in floating point, hence the relative slack.
        const slack = 1 + Math.abs(total) * 1e-12;
        parts.forEach((part, i) => {
          expect(Math.abs(part - (total * weights[i]!) / weightSum)).toBeLessThanOrEqual(slack);
        });
      }),
    );
  });

  it("gives zero weights nothing", () => {
    fc.assert(
      fc.property(totalArbitrary, weightsArbitrary, (total, weights) => {
        const parts = allocateMinorUnits(total, weights);
        weights.forEach((weight, i) => {
          if (weight === 0) expect(parts[i]).toBe(0);
        });
      }),
    );
  });

  it("splits a clawback as the exact negation of the same positive total", () => {
    fc.assert(
      fc.property(totalArbitrary, weightsArbitrary, (total, weights) => {
        const magnitude = Math.abs(total);
        expect(allocateMinorUnits(-magnitude, weights)).toEqual(
          allocateMinorUnits(magnitude, weights).map((p) => 0 - p),
        );
      }),
    );
  });

  it("splits equal weights into parts that differ by at most 1, larger parts first", () => {
    fc.assert(
      fc.property(totalArbitrary, fc.integer({ min: 1, max: 50 }), (total, count) => {
        const parts = allocateMinorUnits(total, new Array<number>(count).fill(1));
        expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
        for (let i = 1; i < count; i++) expect(Math.abs(parts[i - 1]!)).toBeGreaterThanOrEqual(Math.abs(parts[i]!));
      }),
    );
  });
});
