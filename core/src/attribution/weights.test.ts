import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eligibleTouches } from "./lookback.ts";
import { CONVERSION_AT, scenarioArbitrary, touchDaysBefore } from "./test-arbitraries.ts";
import { attributionWeights } from "./weights.ts";

function journey(...daysBefore: number[]) {
  return daysBefore.map((days, i) => touchDaysBefore(`t${i}`, days));
}

describe("attributionWeights", () => {
  it("gives the whole weight to the last touch under last click and to the first under first click", () => {
    const touches = journey(9, 5, 1);
    expect(attributionWeights("last_click", touches, CONVERSION_AT)).toEqual([0, 0, 1]);
    expect(attributionWeights("first_click", touches, CONVERSION_AT)).toEqual([1, 0, 0]);
  });

  it("splits linearly into equal weights", () => {
    expect(attributionWeights("linear", journey(9, 5, 2, 1), CONVERSION_AT)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it("weights four touches 40/10/10/40 under position based", () => {
    expect(attributionWeights("position_based", journey(9, 5, 2, 1), CONVERSION_AT)).toEqual([0.4, 0.1, 0.1, 0.4]);
  });

  it("weights three touches 40/20/40 under position based", () => {
    expect(attributionWeights("position_based", journey(9, 5, 1), CONVERSION_AT)).toEqual([0.4, 0.2, 0.4]);
  });

  it("gives one touch 100% and two touches 50/50 under position based", () => {
    expect(attributionWeights("position_based", journey(3), CONVERSION_AT)).toEqual([1]);
    expect(attributionWeights("position_based", journey(3, 1), CONVERSION_AT)).toEqual([0.5, 0.5]);
  });

  it("weights touches 7 days and 0 days before the conversion 1/3 and 2/3 with a 7-day half-life", () => {
    const [older, newer] = attributionWeights("time_decay", journey(7, 0), CONVERSION_AT, 7);
    expect(older).toBeCloseTo(1 / 3, 12);
    expect(newer).toBeCloseTo(2 / 3, 12);
  });

  it("uses a 7-day half-life for time decay when none is given", () => {
    expect(attributionWeights("time_decay", journey(14, 7, 0), CONVERSION_AT)).toEqual(
      attributionWeights("time_decay", journey(14, 7, 0), CONVERSION_AT, 7),
    );
  });

  it("weights by age difference only, so a short half-life cannot underflow every touch to zero", () => {
    expect(attributionWeights("time_decay", journey(90, 60), CONVERSION_AT, 0.001)).toEqual([0, 1]);
  });

  it("returns no weights for no touches", () => {
    expect(attributionWeights("linear", [], CONVERSION_AT)).toEqual([]);
  });

  it("rejects an unknown model, a non-positive half-life and a non-finite conversion time", () => {
    // @ts-expect-error: the runtime check guards callers that bypass the type, such as stored settings.
    expect(() => attributionWeights("u_shaped", journey(1), CONVERSION_AT)).toThrow(
      'unknown attribution model "u_shaped"',
    );
    expect(() => attributionWeights("time_decay", journey(1), CONVERSION_AT, 0)).toThrow(RangeError);
    expect(() => attributionWeights("time_decay", journey(1), CONVERSION_AT, -7)).toThrow(/halfLifeDays must be/);
    expect(() => attributionWeights("time_decay", journey(1), CONVERSION_AT, Number.NaN)).toThrow(RangeError);
    expect(() => attributionWeights("linear", journey(1), Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it("sums to 1 for every model", () => {
    fc.assert(
      fc.property(scenarioArbitrary(), (scenario) => {
        const touches = eligibleTouches(scenario.touches, scenario.conversionAt, scenario.lookbackDays);
        const weights = attributionWeights(scenario.model, touches, scenario.conversionAt, scenario.halfLifeDays);
        expect(weights).toHaveLength(touches.length);
        expect(weights.every((weight) => weight >= 0 && weight <= 1)).toBe(true);
        if (touches.length > 0) expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      }),
    );
  });

  it("never decreases toward the conversion under time decay", () => {
    fc.assert(
      fc.property(scenarioArbitrary(["time_decay"]), (scenario) => {
        const touches = eligibleTouches(scenario.touches, scenario.conversionAt, scenario.lookbackDays);
        const weights = attributionWeights("time_decay", touches, scenario.conversionAt, scenario.halfLifeDays);
        for (let i = 1; i < weights.length; i++) expect(weights[i]!).toBeGreaterThanOrEqual(weights[i - 1]!);
      }),
    );
  });

  it("halves a touch's time-decay weight relative to another touch one half-life later", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 30 }), (halfLifeDays, newerDays) => {
        const touches = journey(newerDays + halfLifeDays, newerDays);
        const [older, newer] = attributionWeights("time_decay", touches, CONVERSION_AT, halfLifeDays);
        expect(older! / newer!).toBeCloseTo(0.5, 12);
      }),
    );
  });
});
