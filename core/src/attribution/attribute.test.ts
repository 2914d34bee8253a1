import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { attribute, type Credit } from "./attribute.ts";
import { eligibleTouches } from "./lookback.ts";
import { ATTRIBUTION_MODELS, type AttributionModel } from "./models.ts";
import type { AttributionOptions } from "./options.ts";
import {
  CONVERSION_AT,
  DAY,
  type Scenario,
  scenarioArbitrary,
  scenarioWithPermutationArbitrary,
  touchDaysBefore,
} from "./test-arbitraries.ts";
import type { Touch } from "./touch.ts";
import { attributionWeights } from "./weights.ts";

const NUM_RUNS = 300;

function journey(...daysBefore: number[]): Touch[] {
  return daysBefore.map((days, i) => touchDaysBefore(`t${i}`, days));
}

function attributeScenario(scenario: Scenario, touches: readonly Touch[] = scenario.touches): Credit[] {
  const { conversionAt, value, model, lookbackDays, halfLifeDays } = scenario;
  return attribute(touches, conversionAt, value, { model, lookbackDays, halfLifeDays });
}

function summarize(credits: readonly Credit[]) {
  return credits.map(({ touch, position, weightPpm, amount }) => ({ id: touch.id, position, weightPpm, amount }));
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

describe("attribute", () => {
  it("splits 100.00 over three touches linearly as 33.34/33.33/33.33, the remainder going to the earliest", () => {
    expect(
      summarize(attribute(journey(9, 5, 1), CONVERSION_AT, 10_000, { model: "linear", lookbackDays: 30 })),
    ).toEqual([
      { id: "t0", position: 0, weightPpm: 333_334, amount: 3334 },
      { id: "t1", position: 1, weightPpm: 333_333, amount: 3333 },
      { id: "t2", position: 2, weightPpm: 333_333, amount: 3333 },
    ]);
  });

  it("credits four touches 40/10/10/40 under position based", () => {
    const credits = attribute(journey(9, 5, 2, 1), CONVERSION_AT, 10_000, {
      model: "position_based",
      lookbackDays: 30,
    });
    expect(credits.map((c) => c.weightPpm)).toEqual([400_000, 100_000, 100_000, 400_000]);
    expect(credits.map((c) => c.amount)).toEqual([4000, 1000, 1000, 4000]);
  });

  it("splits the 20% middle share of five touches with the remainder on the earlier middle touches", () => {
    const credits = attribute(journey(9, 7, 5, 2, 1), CONVERSION_AT, 100, {
      model: "position_based",
      lookbackDays: 30,
    });
    expect(credits.map((c) => c.weightPpm)).toEqual([400_000, 66_667, 66_667, 66_666, 400_000]);
    expect(credits.map((c) => c.amount)).toEqual([40, 7, 7, 6, 40]);
  });

  it("credits touches 7 days and 0 days before the conversion 1/3 and 2/3 under time decay with a 7-day half-life", () => {
    const credits = attribute(journey(7, 0), CONVERSION_AT, 10_000, {
      model: "time_decay",
      lookbackDays: 30,
      halfLifeDays: 7,
    });
    expect(credits.map((c) => c.weightPpm)).toEqual([333_333, 666_667]);
    expect(credits.map((c) => c.amount)).toEqual([3333, 6667]);
  });

  it("credits only the touch that has not decayed to zero weight under a very short half-life", () => {
    const credits = attribute(journey(20, 1), CONVERSION_AT, 500, {
      model: "time_decay",
      lookbackDays: 30,
      halfLifeDays: 0.001,
    });
    expect(summarize(credits)).toEqual([{ id: "t1", position: 1, weightPpm: 1_000_000, amount: 500 }]);
  });

  it("gives last click to the latest touch and first click to the earliest, with their positions", () => {
    const touches = journey(1, 9, 5);
    const options = { lookbackDays: 30 } as const;
    expect(summarize(attribute(touches, CONVERSION_AT, 999, { ...options, model: "last_click" }))).toEqual([
      { id: "t0", position: 2, weightPpm: 1_000_000, amount: 999 },
    ]);
    expect(summarize(attribute(touches, CONVERSION_AT, 999, { ...options, model: "first_click" }))).toEqual([
      { id: "t1", position: 0, weightPpm: 1_000_000, amount: 999 },
    ]);
  });

  it("breaks a same-instant tie for last click by kind, so a discount code beats a click", () => {
    const click = touchDaysBefore("z", 1);
    const code = touchDaysBefore("a", 1, { kind: "discount_code" });
    for (const touches of [
      [click, code],
      [code, click],
    ]) {
      expect(attribute(touches, CONVERSION_AT, 100, { model: "last_click", lookbackDays: 30 })[0]?.touch).toBe(code);
    }
  });

  it("credits a touch exactly lookbackDays old and ignores one 1 ms older", () => {
    const atBoundary = touchDaysBefore("boundary", 30);
    const justOutside = { ...touchDaysBefore("outside", 30), at: CONVERSION_AT - 30 * DAY - 1 };
    for (const model of ATTRIBUTION_MODELS) {
      const credits = attribute([justOutside, atBoundary], CONVERSION_AT, 100, { model, lookbackDays: 30 });
      expect(summarize(credits)).toEqual([{ id: "boundary", position: 0, weightPpm: 1_000_000, amount: 100 }]);
    }
  });

  it("credits nothing when no touch is eligible", () => {
    const late = { ...touchDaysBefore("late", 0), at: CONVERSION_AT + 1 };
    for (const model of ATTRIBUTION_MODELS) {
      expect(attribute([], CONVERSION_AT, 100, { model, lookbackDays: 30 })).toEqual([]);
      expect(attribute([late, touchDaysBefore("old", 31)], CONVERSION_AT, 100, { model, lookbackDays: 30 })).toEqual(
        [],
      );
    }
  });

  it("claws back a refund as the exact negation of the original credit", () => {
    const touches = journey(9, 7, 5, 2, 1);
    for (const model of ATTRIBUTION_MODELS) {
      const sale = attribute(touches, CONVERSION_AT, 10_001, { model, lookbackDays: 30 });
      const refund = attribute(touches, CONVERSION_AT, -10_001, { model, lookbackDays: 30 });
      expect(refund.map((c) => c.amount)).toEqual(sale.map((c) => 0 - c.amount));
      expect(refund.map((c) => c.weightPpm)).toEqual(sale.map((c) => c.weightPpm));
    }
  });

  it("credits +0, never -0, for a zero value", () => {
    for (const model of ATTRIBUTION_MODELS) {
      const credits = attribute(journey(9, 5, 1), CONVERSION_AT, -0, { model, lookbackDays: 30 });
      expect(credits.some((c) => Object.is(c.amount, -0))).toBe(false);
    }
  });

  it("leaves the caller's touches in their original order", () => {
    const touches = journey(1, 9, 5);
    const snapshot = [...touches];
    attribute(touches, CONVERSION_AT, 100, { model: "linear", lookbackDays: 30 });
    expect(touches).toEqual(snapshot);
  });

  it("rejects invalid options and values with a RangeError that names the problem", () => {
    const touches = journey(1);
    const attributeWith = (options: Partial<AttributionOptions>, value = 100, conversionAt = CONVERSION_AT) =>
      attribute(touches, conversionAt, value, { model: "linear", lookbackDays: 30, ...options });
    expect(() => attributeWith({ lookbackDays: 0 })).toThrow("lookbackDays must be an integer from 1 to 90, got 0");
    expect(() => attributeWith({ lookbackDays: 91 })).toThrow(RangeError);
    expect(() => attributeWith({ lookbackDays: 7.5 })).toThrow(RangeError);
    expect(() => attributeWith({ halfLifeDays: 0 })).toThrow(
      "halfLifeDays must be a finite number greater than 0, got 0",
    );
    expect(() => attributeWith({ halfLifeDays: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => attributeWith({ model: "u_shaped" as AttributionModel })).toThrow(
      'unknown attribution model "u_shaped"',
    );
    expect(() => attributeWith({}, 12.5)).toThrow("value must be a safe integer number of minor units, got 12.5");
    expect(() => attributeWith({}, 100, Number.NaN)).toThrow(/conversionAt must be a finite/);
  });

  it("splits the value exactly for every model", () => {
    fc.assert(
      fc.property(scenarioArbitrary(), (scenario) => {
        const credits = attributeScenario(scenario);
        const amounts = credits.map((c) => c.amount);
        expect(amounts.every(Number.isSafeInteger)).toBe(true);
        if (credits.length > 0) expect(sum(amounts)).toBe(scenario.value);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("splits exactly 1,000,000 parts per million for every model", () => {
    fc.assert(
      fc.property(scenarioArbitrary(), (scenario) => {
        const credits = attributeScenario(scenario);
        expect(credits.every((c) => Number.isInteger(c.weightPpm) && c.weightPpm >= 0)).toBe(true);
        if (credits.length > 0) expect(sum(credits.map((c) => c.weightPpm))).toBe(1_000_000);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("keeps every amount and weight within 1 of its exact share and credits every weighted touch once", () => {
    fc.assert(
      fc.property(scenarioArbitrary(), (scenario) => {
        const eligible = eligibleTouches(scenario.touches, scenario.conversionAt, scenario.lookbackDays);
        const weights = attributionWeights(scenario.model, eligible, scenario.conversionAt, scenario.halfLifeDays);
        const credits = attributeScenario(scenario);
        expect(credits.map((c) => c.position)).toEqual(weights.flatMap((w, i) => (w > 0 ? [i] : [])));
        // The reference shares are floating-point products themselves, hence the relative slack.
        const slack = 1 + Math.abs(scenario.value) * 1e-12;
        for (const credit of credits) {
          const weight = weights[credit.position]!;
          expect(credit.touch).toBe(eligible[credit.position]);
          expect(Math.abs(credit.amount - scenario.value * weight)).toBeLessThanOrEqual(slack);
          expect(Math.abs(credit.weightPpm - 1_000_000 * weight)).toBeLessThanOrEqual(1 + 1e-6);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("never credits a touch outside the lookback window or after the conversion", () => {
    fc.assert(
      fc.property(scenarioArbitrary(), (scenario) => {
        const windowStart = scenario.conversionAt - scenario.lookbackDays * DAY;
        for (const { touch } of attributeScenario(scenario)) {
          expect(scenario.touches).toContain(touch);
          expect(touch.at).toBeGreaterThanOrEqual(windowStart);
          expect(touch.at).toBeLessThanOrEqual(scenario.conversionAt);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("gives the same credits whatever the order of the touches", () => {
    fc.assert(
      fc.property(scenarioWithPermutationArbitrary(), ([scenario, permutation]) => {
        expect(attributeScenario(scenario, permutation)).toEqual(attributeScenario(scenario));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("credits exactly one touch, the last or first eligible one, under last click and first click", () => {
    fc.assert(
      fc.property(scenarioArbitrary(["last_click", "first_click"]), (scenario) => {
        const eligible = eligibleTouches(scenario.touches, scenario.conversionAt, scenario.lookbackDays);
        const credits = attributeScenario(scenario);
        expect(credits).toHaveLength(eligible.length > 0 ? 1 : 0);
        if (eligible.length === 0) return;
        const position = scenario.model === "last_click" ? eligible.length - 1 : 0;
        expect(credits[0]).toEqual({
          touch: eligible[position],
          position,
          weightPpm: 1_000_000,
          amount: scenario.value,
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("credits every eligible touch under linear with amounts and weights that differ by at most 1", () => {
    fc.assert(
      fc.property(scenarioArbitrary(["linear"]), (scenario) => {
        const eligible = eligibleTouches(scenario.touches, scenario.conversionAt, scenario.lookbackDays);
        const credits = attributeScenario(scenario);
        expect(credits).toHaveLength(eligible.length);
        if (credits.length === 0) return;
        const amounts = credits.map((c) => c.amount);
        const ppm = credits.map((c) => c.weightPpm);
        expect(Math.max(...amounts) - Math.min(...amounts)).toBeLessThanOrEqual(1);
        expect(Math.max(...ppm) - Math.min(...ppm)).toBeLessThanOrEqual(1);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("never gives a later touch less credit than an earlier one under time decay, bar a tied remainder unit", () => {
    fc.assert(
      fc.property(scenarioArbitrary(["time_decay"]), (scenario) => {
        const eligible = eligibleTouches(scenario.touches, scenario.conversionAt, scenario.lookbackDays);
        const weights = attributionWeights("time_decay", eligible, scenario.conversionAt, scenario.halfLifeDays);
        const credits = attributeScenario(scenario);
        for (let i = 1; i < credits.length; i++) {
          const [earlier, later] = [credits[i - 1]!, credits[i]!];
          // Equal weights (same instant) split a remainder unit in favour of the earlier position.
          const tieAllowance = weights[earlier.position] === weights[later.position] ? 1 : 0;
          expect(earlier.weightPpm - later.weightPpm).toBeLessThanOrEqual(tieAllowance);
          expect(Math.abs(earlier.amount) - Math.abs(later.amount)).toBeLessThanOrEqual(tieAllowance);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("gives first and last touch 40% each and shares 20% across the middle under position based", () => {
    fc.assert(
      fc.property(scenarioArbitrary(["position_based"]), (scenario) => {
        const credits = attributeScenario(scenario);
        const ppm = credits.map((c) => c.weightPpm);
        if (ppm.length === 1) expect(ppm).toEqual([1_000_000]);
        if (ppm.length === 2) expect(ppm).toEqual([500_000, 500_000]);
        if (ppm.length >= 3) {
          expect([ppm[0], ppm.at(-1)]).toEqual([400_000, 400_000]);
          expect(sum(ppm.slice(1, -1))).toBe(200_000);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
