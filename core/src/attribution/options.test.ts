import { describe, expect, it } from "vitest";
import { ATTRIBUTION_MODELS, AttributionModelSchema } from "./models.ts";
import { AttributionOptionsSchema, DEFAULT_LOOKBACK_DAYS } from "./options.ts";

describe("AttributionModelSchema", () => {
  it("accepts every attribution model and nothing else", () => {
    for (const model of ATTRIBUTION_MODELS) expect(AttributionModelSchema.parse(model)).toBe(model);
    expect(AttributionModelSchema.safeParse("data_driven").success).toBe(false);
  });
});

describe("AttributionOptionsSchema", () => {
  it("defaults the lookback to 30 days and leaves the half-life to the model", () => {
    expect(AttributionOptionsSchema.parse({ model: "time_decay" })).toEqual({
      model: "time_decay",
      lookbackDays: DEFAULT_LOOKBACK_DAYS,
    });
    expect(DEFAULT_LOOKBACK_DAYS).toBe(30);
  });

  it("rejects lookbacks outside 1 to 90 whole days and non-positive half-lives", () => {
    for (const lookbackDays of [0, 91, 1.5]) {
      expect(AttributionOptionsSchema.safeParse({ model: "linear", lookbackDays }).success).toBe(false);
    }
    for (const halfLifeDays of [0, -1, Number.POSITIVE_INFINITY]) {
      expect(AttributionOptionsSchema.safeParse({ model: "time_decay", halfLifeDays }).success).toBe(false);
    }
  });
});
