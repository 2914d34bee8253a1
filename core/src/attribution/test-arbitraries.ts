// fast-check arbitraries shared by the attribution tests (test-only; not exported from index.ts).
import fc from "fast-check";
import { ATTRIBUTION_MODELS, type AttributionModel } from "./models.ts";
import { MS_PER_DAY } from "./options.ts";
import type { Touch } from "./touch.ts";

export const DAY = MS_PER_DAY;
export const CONVERSION_AT = Date.UTC(2025, 5, 30, 12);

export function touchAt(id: string, at: number, overrides: Partial<Touch> = {}): Touch {
  return { id, creatorId: `creator_${id}`, campaignId: "campaign_1", at, kind: "click", ...overrides };
}

export function touchDaysBefore(id: string, days: number, overrides: Partial<Touch> = {}): Touch {
  return touchAt(id, CONVERSION_AT - days * DAY, overrides);
}

// Where a touch sits relative to the window; the named edges are resolved once the scenario's lookback is known.
const offsetArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -2 * DAY, max: 92 * DAY }) },
  // A few shared instants so equal timestamps (and the tie-breaking on kind and id) come up often.
  { weight: 3, arbitrary: fc.constantFrom(0, DAY, 3 * DAY, 3 * DAY + 1) },
  { weight: 2, arbitrary: fc.constantFrom("window-start", "before-window-start", "after-conversion") },
);

const rawTouchArbitrary = fc.record({
  id: fc.constantFrom("t1", "t2", "t3", "t4"),
  creatorId: fc.constantFrom("alice", "bob", "carol"),
  campaignId: fc.constantFrom("spring", "summer"),
  kind: fc.constantFrom("click", "discount_code") as fc.Arbitrary<Touch["kind"]>,
  offset: offsetArbitrary,
});

export interface Scenario {
  touches: Touch[];
  conversionAt: number;
  value: number;
  model: AttributionModel;
  lookbackDays: number;
  halfLifeDays: number | undefined;
}

export const valueArbitrary = fc.oneof(
  fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
  fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 }),
  fc.constantFrom(0, 1, -1, 2, 3, 10_000),
);

export function scenarioArbitrary(models: readonly AttributionModel[] = ATTRIBUTION_MODELS): fc.Arbitrary<Scenario> {
  return fc
    .record({
      conversionAt: fc.oneof(
        fc.constant(CONVERSION_AT),
        fc.integer({ min: 1_000_000_000_000, max: 2_000_000_000_000 }),
      ),
      value: valueArbitrary,
      model: fc.constantFrom(...models),
      lookbackDays: fc.integer({ min: 1, max: 90 }),
      halfLifeDays: fc.option(fc.double({ min: 0.001, max: 60, noNaN: true }), { nil: undefined }),
      // Up to 24 so that both the insertion path (up to 16) and the Array#sort path of the lookback filter run.
      rawTouches: fc.array(rawTouchArbitrary, { maxLength: 24 }),
    })
    .map(({ rawTouches, ...scenario }) => {
      const windowMs = scenario.lookbackDays * DAY;
      const touches = rawTouches.map(({ offset, ...touch }) => {
        let at: number;
        if (offset === "window-start") at = scenario.conversionAt - windowMs;
        else if (offset === "before-window-start") at = scenario.conversionAt - windowMs - 1;
        else if (offset === "after-conversion") at = scenario.conversionAt + 1;
        else at = scenario.conversionAt - offset;
        return { ...touch, at };
      });
      return { ...scenario, touches };
    });
}

/** A scenario together with the same touches in another order. */
export function scenarioWithPermutationArbitrary(): fc.Arbitrary<[Scenario, Touch[]]> {
  return scenarioArbitrary().chain((scenario) =>
    fc
      .shuffledSubarray(scenario.touches, {
        minLength: scenario.touches.length,
        maxLength: scenario.touches.length,
      })
      .map((permutation): [Scenario, Touch[]] => [scenario, permutation]),
  );
}
