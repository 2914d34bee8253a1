import { ATTRIBUTION_MODELS } from "@trailmark/core/attribution";
import { describe, expect, it } from "vitest";
import { benchModels, formatResults, generateFiveTouchJourneys, generateMixedJourneys } from "./models.ts";

describe("benchModels", () => {
  it("generates the same journeys on every run", () => {
    expect(generateMixedJourneys(50)).toEqual(generateMixedJourneys(50));
    expect(generateFiveTouchJourneys(50, "shuffled")).toEqual(generateFiveTouchJourneys(50, "shuffled"));
  });

  it("generates five in-order touches per journey for the fixed set and 1 to 10 for the mixed set", () => {
    for (const { touches } of generateFiveTouchJourneys(200, "time")) {
      expect(touches).toHaveLength(5);
      expect(touches.map((t) => t.at)).toEqual([...touches.map((t) => t.at)].sort((a, b) => a - b));
    }
    const lengths = new Set(generateMixedJourneys(500).map((j) => j.touches.length));
    expect([...lengths].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("measures every model on every dataset and checks that the credited totals are exact", async () => {
    const results = await benchModels(2_000, { runs: 1, print: false });
    expect(results).toHaveLength(3 * ATTRIBUTION_MODELS.length);
    for (const result of results) {
      expect(result.journeys).toBe(2_000);
      expect(result.journeysPerSecond).toBeGreaterThan(0);
    }
    expect(formatResults(results).split("\n")).toHaveLength(2 + results.length);
  });
});
