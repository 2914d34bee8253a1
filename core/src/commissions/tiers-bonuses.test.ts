import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Bonus, Tiers } from "../campaigns/commission-plan.ts";
import { bonusesCrossed, bonusKey, periodKey, ruleAtTier, tierAt } from "./tiers-bonuses.ts";

const NUM_RUNS = 300;

const tiers: Tiers = {
  metric: "sales",
  period: "month",
  steps: [
    { threshold: 100_000, basisPoints: 1500 },
    { threshold: 500_000, basisPoints: 2000 },
  ],
};

describe("tiers", () => {
  it("pays 10% up to 1,000.00 of sales in the month, 15% from there, 20% from 5,000.00", () => {
    const at = (sales: number) => tierAt(tiers, { sales, conversions: 0 });
    expect([at(0), at(99_999), at(100_000), at(499_999), at(500_000), at(9_999_999)]).toEqual([0, 0, 1, 1, 2, 2]);
    const base = { type: "percentage", basisPoints: 1000 } as const;
    expect(ruleAtTier(tiers, 0, base)).toEqual(base);
    expect(ruleAtTier(tiers, 2, base)).toEqual({ type: "percentage", basisPoints: 2000 });
    expect(ruleAtTier(tiers, 2, { type: "flat", amount: 500 })).toEqual({ type: "flat", amount: 500 });
    expect(ruleAtTier(null, 2, base)).toEqual(base);
  });

  it("never steps down as progress grows, and is reached exactly at each threshold", () => {
    const stepsArbitrary = fc
      .uniqueArray(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 5 })
      .map((t) => [...t].sort((a, b) => a - b).map((threshold, i) => ({ threshold, basisPoints: 100 * (i + 1) })));
    fc.assert(
      fc.property(stepsArbitrary, fc.nat(1200), fc.nat(50), (steps, progress, more) => {
        const t: Tiers = { metric: "conversions", period: "campaign", steps };
        const now = tierAt(t, { sales: 0, conversions: progress });
        expect(tierAt(t, { sales: 0, conversions: progress + more })).toBeGreaterThanOrEqual(now);
        steps.forEach((step, i) => {
          expect(tierAt(t, { sales: 0, conversions: step.threshold })).toBe(i + 1);
          expect(tierAt(t, { sales: 0, conversions: step.threshold - 1 })).toBe(i);
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe("bonuses", () => {
  const tenSales: Bonus = { key: "ten-sales", metric: "conversions", period: "month", threshold: 10, amount: 5000 };
  const firstSale: Bonus = { key: "first", metric: "conversions", period: "campaign", threshold: 1, amount: 1000 };

  it("is earned by the conversion that reaches the goal, and by no other, however the figures go up", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 40 }), (increments) => {
        let count = 0;
        let earned = 0;
        for (const step of increments) {
          const before = { sales: 0, conversions: count };
          count += step;
          const after = { sales: 0, conversions: count };
          earned += bonusesCrossed([tenSales], () => ({ before, after })).length;
        }
        expect(earned).toBe(count >= 10 ? 1 : 0);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("keys a bonus by campaign, creator, goal and period, so a new month can pay it again", () => {
    const nov = new Date("2026-11-30T23:59:59Z");
    const dec = new Date("2026-12-01T00:00:00Z");
    expect(bonusKey("cp", "cr", tenSales, nov)).toBe("cp:cr:ten-sales:2026-11");
    expect(bonusKey("cp", "cr", tenSales, dec)).toBe("cp:cr:ten-sales:2026-12");
    expect(bonusKey("cp", "cr", firstSale, dec)).toBe("cp:cr:first:all");
    expect([periodKey("quarter", nov), periodKey("year", nov)]).toEqual(["2026-Q4", "2026"]);
  });
});
