import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mulDivRoundHalfUp } from "./mul-div.ts";

function reference(value: number, numerator: number, denominator: number): number {
  const v = BigInt(value) * BigInt(numerator);
  const d = BigInt(denominator);
  const q = v / d;
  return Number(2n * (v - q * d) >= d ? q + 1n : q);
}

describe("mulDivRoundHalfUp", () => {
  it("rounds a half up and anything below a half down", () => {
    expect(mulDivRoundHalfUp(5, 1, 10)).toBe(1);
    expect(mulDivRoundHalfUp(4, 1, 10)).toBe(0);
    expect(mulDivRoundHalfUp(15, 1, 10)).toBe(2);
    expect(mulDivRoundHalfUp(1, 1, 3)).toBe(0);
    expect(mulDivRoundHalfUp(2, 1, 3)).toBe(1);
  });

  it("is exact next to the largest safe integer", () => {
    expect(mulDivRoundHalfUp(Number.MAX_SAFE_INTEGER, 10_000, 10_000)).toBe(Number.MAX_SAFE_INTEGER);
    expect(mulDivRoundHalfUp(Number.MAX_SAFE_INTEGER, 9_999, 10_000)).toBe(
      reference(Number.MAX_SAFE_INTEGER, 9_999, 10_000),
    );
    expect(mulDivRoundHalfUp(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER)).toBe(
      Number.MAX_SAFE_INTEGER - 1,
    );
  });

  it("refuses negative or fractional operands", () => {
    expect(() => mulDivRoundHalfUp(-1, 1, 1)).toThrow(RangeError);
    expect(() => mulDivRoundHalfUp(1.5, 1, 1)).toThrow(RangeError);
    expect(() => mulDivRoundHalfUp(1, 1, 0)).toThrow(RangeError);
  });

  it("matches exact BigInt arithmetic whenever the result is safe", () => {
    const safe = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(safe, safe, fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (value, a, b) => {
        // numerator <= denominator keeps the result safe, as in every caller
        const numerator = Math.min(a, b);
        const denominator = Math.max(a, b);
        expect(mulDivRoundHalfUp(value, numerator, denominator)).toBe(reference(value, numerator, denominator));
      }),
    );
  });

  it("matches exact arithmetic for small operands on the fast path", () => {
    fc.assert(
      fc.property(
        fc.nat(1_000_000),
        fc.nat(10_000),
        fc.integer({ min: 1, max: 10_000 }),
        (value, numerator, denominator) => {
          expect(mulDivRoundHalfUp(value, numerator, denominator)).toBe(reference(value, numerator, denominator));
        },
      ),
    );
  });
});
