import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocateMinorUnits } from "../attribution/allocate-minor-units.ts";
import type { CommissionOverrides, CommissionRule, CommissionRules } from "../campaigns/campaign.ts";
import { computeCommission, resolveRule, splitCommission } from "./compute-commission.ts";

const percent = (basisPoints: number): CommissionRule => ({ type: "percentage", basisPoints });
const flat = (amount: number): CommissionRule => ({ type: "flat", amount });

describe("computeCommission", () => {
  it("takes a percentage of the base in basis points", () => {
    expect(computeCommission(percent(1000), 12_345)).toBe(1235);
    expect(computeCommission(percent(1000), 12_344)).toBe(1234);
    expect(computeCommission(percent(250), 10_000)).toBe(250);
  });

  it("rounds a half minor unit up", () => {
    // 5% of 10 = 0.5
    expect(computeCommission(percent(500), 10)).toBe(1);
    // 5% of 9 = 0.45
    expect(computeCommission(percent(500), 9)).toBe(0);
  });

  it("pays the flat amount whatever the base", () => {
    expect(computeCommission(flat(500), 0)).toBe(500);
    expect(computeCommission(flat(500), 1_000_000)).toBe(500);
  });

  it("stays exact for bases whose product with the rate is not a safe integer", () => {
    expect(computeCommission(percent(10_000), Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(computeCommission(percent(5_000), Number.MAX_SAFE_INTEGER)).toBe(4_503_599_627_370_496);
  });

  it("refuses a negative or fractional base", () => {
    expect(() => computeCommission(percent(1000), -1)).toThrow(RangeError);
    expect(() => computeCommission(percent(1000), 1.5)).toThrow(RangeError);
  });

  it("never exceeds the base and grows with it", () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(Number.MAX_SAFE_INTEGER - 1), (bp, base) => {
        const c = computeCommission(percent(bp), base);
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(base);
        expect(computeCommission(percent(bp), base + 1)).toBeGreaterThanOrEqual(c);
      }),
    );
  });

  it("is within half a minor unit of the exact percentage", () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(Number.MAX_SAFE_INTEGER), (bp, base) => {
        const exactTimes10k = BigInt(base) * BigInt(bp);
        const diff = BigInt(computeCommission(percent(bp), base)) * 10_000n - exactTimes10k;
        expect(diff > -5000n && diff <= 5000n).toBe(true);
      }),
    );
  });
});

describe("splitCommission", () => {
  it("applies a percentage rule to each creator's credit", () => {
    const shares = splitCommission([
      { creatorId: "a", weightPpm: 600_000, credit: 6000, rule: percent(1000) },
      { creatorId: "b", weightPpm: 400_000, credit: 4000, rule: percent(2000) },
    ]);
    expect(shares).toEqual([600, 800]);
  });

  it("splits a flat fee by weight so that the parts add up to the fee", () => {
    const shares = splitCommission([
      { creatorId: "a", weightPpm: 500_000, credit: 0, rule: flat(1001) },
      { creatorId: "b", weightPpm: 500_000, credit: 0, rule: flat(1001) },
    ]);
    expect(shares).toEqual([501, 500]);
  });

  it("computes a percentage once on the order and splits it: 12.34% of 100.05 three ways is 12.35", () => {
    // Credits of 100.05 split evenly by attribution; rounding each creator's 12.34% alone gives 4.12 × 3.
    const credits = [3335, 3335, 3335];
    const shares = splitCommission(
      credits.map((credit, i) => ({ creatorId: `c${i}`, weightPpm: 333_333, credit, rule: percent(1234) })),
    );
    expect(shares.reduce((a, b) => a + b, 0)).toBe(computeCommission(percent(1234), 10_005));
    expect(shares).toEqual([412, 412, 411]);
  });

  it("adds up exactly to the order's commission under one shared rule (property)", () => {
    const split = fc
      .array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 })
      .chain((raw) => fc.tuple(fc.constant(raw), fc.nat(100_000_000)));
    fc.assert(
      fc.property(split, fc.nat(10_000), fc.boolean(), ([raw, value], bp, isFlat) => {
        const credits = allocateMinorUnits(value, raw);
        const ppm = allocateMinorUnits(1_000_000, raw);
        const rule = isFlat ? flat(value) : percent(bp);
        const shares = splitCommission(
          raw.map((_, i) => ({ creatorId: `c${i}`, weightPpm: ppm[i]!, credit: credits[i]!, rule })),
        );
        const sum = shares.reduce((a, b) => a + b, 0);
        expect(sum).toBe(isFlat ? value : computeCommission(rule, value));
        for (const s of shares) expect(Number.isSafeInteger(s) && s >= 0).toBe(true);
      }),
    );
  });

  it("adds up to the rounded sum of exact shares under mixed rules, each part near its own (property)", () => {
    const creator = fc.record({
      weight: fc.integer({ min: 1, max: 1000 }),
      rule: fc.oneof(fc.nat(10_000).map(percent), fc.nat(1_000_000).map(flat)),
    });
    fc.assert(
      fc.property(fc.array(creator, { minLength: 1, maxLength: 8 }), fc.nat(100_000_000), (creators, value) => {
        const raw = creators.map((c) => c.weight);
        const credits = allocateMinorUnits(value, raw);
        const ppm = allocateMinorUnits(1_000_000, raw);
        const input = creators.map((c, i) => ({
          creatorId: `c${i}`,
          weightPpm: ppm[i]!,
          credit: credits[i]!,
          rule: c.rule,
        }));
        const shares = splitCommission(input);
        // Exact shares × 1e10, compared in BigInt.
        const exact = input.map((c) =>
          c.rule.type === "percentage"
            ? BigInt(c.credit) * BigInt(c.rule.basisPoints) * 1_000_000n
            : BigInt(c.rule.amount) * BigInt(c.weightPpm) * 10_000n,
        );
        const total = exact.reduce((a, b) => a + b, 0n);
        const sum = shares.reduce((a, b) => a + b, 0);
        expect(BigInt(sum)).toBe((2n * total + 10_000_000_000n) / 20_000_000_000n);
        shares.forEach((s, i) => {
          const diff = BigInt(s) * 10_000_000_000n - exact[i]!;
          // The total's rounding (half a unit at most) is spread too, so a part is within 1.5 units.
          expect(diff > -15_000_000_000n && diff < 15_000_000_000n).toBe(true);
        });
      }),
    );
  });

  it("gives a sole creator the whole flat fee", () => {
    expect(splitCommission([{ creatorId: "a", weightPpm: 1_000_000, credit: 100, rule: flat(750) }])).toEqual([750]);
  });

  it("mixes rules when a creator has an override", () => {
    const shares = splitCommission([
      { creatorId: "a", weightPpm: 750_000, credit: 7500, rule: percent(1000) },
      { creatorId: "b", weightPpm: 250_000, credit: 2500, rule: flat(400) },
    ]);
    expect(shares).toEqual([750, 100]);
  });

  it("returns nothing for no creators", () => {
    expect(splitCommission([])).toEqual([]);
  });

  it("refuses a weight outside 0..1e6 ppm", () => {
    expect(() => splitCommission([{ creatorId: "a", weightPpm: 1_000_001, credit: 0, rule: flat(1) }])).toThrow(
      RangeError,
    );
  });

  it("splits a shared flat fee into parts that add up to the fee", () => {
    const weights = fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 }).map((raw) => {
      const total = raw.reduce((a, b) => a + b, 0);
      const ppm = raw.map((w) => Math.floor((w * 1_000_000) / total));
      ppm[0] = (ppm[0] ?? 0) + 1_000_000 - ppm.reduce((a, b) => a + b, 0);
      return ppm;
    });
    fc.assert(
      fc.property(weights, fc.nat(10_000_000), (ppm, amount) => {
        const shares = splitCommission(
          ppm.map((w, i) => ({ creatorId: `c${i}`, weightPpm: w, credit: 0, rule: flat(amount) })),
        );
        const sum = shares.reduce((a, b) => a + b, 0);
        expect(sum).toBe(amount);
        for (const s of shares) expect(s).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe("resolveRule", () => {
  const campaignRules: CommissionRules = { purchase: percent(1000), sign_up: flat(200) };

  it("uses the campaign's rule for the goal", () => {
    expect(resolveRule("purchase", campaignRules, {}, "camp_1")).toEqual(percent(1000));
    expect(resolveRule("sign_up", campaignRules, null, "camp_1")).toEqual(flat(200));
  });

  it("prefers the creator's override for this campaign and goal", () => {
    const overrides: CommissionOverrides = { camp_1: { purchase: percent(1500) } };
    expect(resolveRule("purchase", campaignRules, overrides, "camp_1")).toEqual(percent(1500));
    expect(resolveRule("sign_up", campaignRules, overrides, "camp_1")).toEqual(flat(200));
  });

  it("ignores overrides for other campaigns", () => {
    const overrides: CommissionOverrides = { camp_2: { purchase: percent(1500) } };
    expect(resolveRule("purchase", campaignRules, overrides, "camp_1")).toEqual(percent(1000));
  });

  it("returns null when the goal has no rule", () => {
    expect(resolveRule("click", campaignRules, {}, "camp_1")).toBeNull();
    expect(resolveRule("custom", {}, undefined, "camp_1")).toBeNull();
  });

  it("lets an override pay a goal the campaign rules leave out", () => {
    expect(resolveRule("click", campaignRules, { camp_1: { click: flat(5) } }, "camp_1")).toEqual(flat(5));
  });

  it("does not mistake inherited object properties for overrides", () => {
    expect(resolveRule("purchase", campaignRules, {}, "constructor")).toEqual(percent(1000));
    expect(resolveRule("purchase", campaignRules, {}, "__proto__")).toEqual(percent(1000));
  });
});
