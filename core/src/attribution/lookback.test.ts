import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eligibleTouches } from "./lookback.ts";
import {
  CONVERSION_AT,
  DAY,
  scenarioArbitrary,
  scenarioWithPermutationArbitrary,
  touchAt,
  touchDaysBefore,
} from "./test-arbitraries.ts";
import { compareTouches, type Touch } from "./touch.ts";

describe("eligibleTouches", () => {
  it("includes a touch exactly lookbackDays before the conversion and excludes one 1 ms earlier", () => {
    const atBoundary = touchAt("boundary", CONVERSION_AT - 30 * DAY);
    const justOutside = touchAt("outside", CONVERSION_AT - 30 * DAY - 1);
    expect(eligibleTouches([justOutside, atBoundary], CONVERSION_AT, 30)).toEqual([atBoundary]);
  });

  it("includes a touch at the conversion instant and excludes one 1 ms after it", () => {
    const atConversion = touchAt("at", CONVERSION_AT);
    const after = touchAt("after", CONVERSION_AT + 1);
    expect(eligibleTouches([after, atConversion], CONVERSION_AT, 30)).toEqual([atConversion]);
  });

  it("treats a touch with a NaN timestamp as outside the window", () => {
    expect(eligibleTouches([touchAt("nan", Number.NaN)], CONVERSION_AT, 30)).toEqual([]);
  });

  it("sorts by time, then kind, then id", () => {
    const code = touchDaysBefore("a", 1, { kind: "discount_code" });
    const clickB = touchDaysBefore("b", 1);
    const clickA = touchDaysBefore("a", 1);
    const earlier = touchDaysBefore("z", 2, { kind: "discount_code" });
    expect(eligibleTouches([code, clickB, clickA, earlier], CONVERSION_AT, 30)).toEqual([
      earlier,
      clickA,
      clickB,
      code,
    ]);
  });

  it("returns a new array and leaves the input untouched, even when it is already eligible and sorted", () => {
    const sorted = [touchDaysBefore("a", 2), touchDaysBefore("b", 1)];
    const result = eligibleTouches(sorted, CONVERSION_AT, 30);
    expect(result).toEqual(sorted);
    expect(result).not.toBe(sorted);

    const unsorted = [touchDaysBefore("b", 1), touchDaysBefore("a", 2)];
    const snapshot = [...unsorted];
    eligibleTouches(unsorted, CONVERSION_AT, 30);
    expect(unsorted).toEqual(snapshot);
  });

  it("sorts long journeys the same way as short ones", () => {
    const touches = Array.from({ length: 40 }, (_, i) => touchAt(`t${i % 7}`, CONVERSION_AT - (i % 5) * DAY));
    const expected = [...touches].sort(compareTouches);
    expect(eligibleTouches([...touches].reverse(), CONVERSION_AT, 30)).toEqual(expected);
  });

  it("rejects a lookback that is not an integer from 1 to 90", () => {
    for (const lookbackDays of [0, 91, 1.5, -1, Number.NaN]) {
      expect(() => eligibleTouches([], CONVERSION_AT, lookbackDays)).toThrow(RangeError);
    }
    expect(() => eligibleTouches([], CONVERSION_AT, 91)).toThrow(
      "lookbackDays must be an integer from 1 to 90, got 91",
    );
  });

  it("rejects a conversion time that is not finite", () => {
    expect(() => eligibleTouches([], Number.NaN, 30)).toThrow(/conversionAt must be a finite/);
  });

  it("keeps exactly the touches inside the window, in sorted order", () => {
    fc.assert(
      fc.property(scenarioArbitrary(), ({ touches, conversionAt, lookbackDays }) => {
        const windowStart = conversionAt - lookbackDays * DAY;
        const eligible = eligibleTouches(touches, conversionAt, lookbackDays);
        const inside = (touch: Touch) => touch.at >= windowStart && touch.at <= conversionAt;
        expect(eligible.every(inside)).toBe(true);
        expect(eligible).toHaveLength(touches.filter(inside).length);
        for (let i = 1; i < eligible.length; i++) {
          expect(compareTouches(eligible[i - 1]!, eligible[i]!)).toBeLessThanOrEqual(0);
        }
      }),
    );
  });

  it("does not depend on the order of its input", () => {
    fc.assert(
      fc.property(scenarioWithPermutationArbitrary(), ([scenario, permutation]) => {
        expect(eligibleTouches(permutation, scenario.conversionAt, scenario.lookbackDays)).toEqual(
          eligibleTouches(scenario.touches, scenario.conversionAt, scenario.lookbackDays),
        );
      }),
    );
  });
});
