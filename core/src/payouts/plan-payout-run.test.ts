import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type PayableAdjustment, type PayableCommission, planPayoutRun } from "./plan-payout-run.ts";

const NOW = new Date("2026-12-01T00:00:00.000Z");
const PAST = new Date("2026-11-01T00:00:00.000Z");
const FUTURE = new Date("2026-12-15T00:00:00.000Z");

const commission = (id: string, creatorId: string, amount: number, extra: Partial<PayableCommission> = {}) => ({
  id,
  creatorId,
  currency: "USD",
  amount,
  holdUntil: PAST,
  ...extra,
});
const adjustment = (id: string, creatorId: string, amount: number, currency = "USD"): PayableAdjustment => ({
  id,
  creatorId,
  currency,
  amount,
});
const min = (amount: number) => () => amount;

describe("planPayoutRun", () => {
  it("makes one payout per creator and currency", () => {
    const plan = planPayoutRun({
      commissions: [
        commission("c1", "ada", 3000),
        commission("c2", "ada", 2000),
        commission("c3", "ada", 4000, { currency: "EUR" }),
        commission("c4", "ben", 2600),
      ],
      adjustments: [],
      minimumPayout: min(2500),
      now: NOW,
    });
    expect(plan.payouts.map((p) => [p.creatorId, p.currency, p.amount])).toEqual([
      ["ada", "EUR", 4000],
      ["ada", "USD", 5000],
      ["ben", "USD", 2600],
    ]);
    expect(plan.payouts[1]!.commissions).toEqual([
      { id: "c1", amount: 3000 },
      { id: "c2", amount: 2000 },
    ]);
    expect(plan.carryOver).toEqual([]);
  });

  it("nets a clawback from an earlier payout against new earnings", () => {
    const plan = planPayoutRun({
      commissions: [commission("c1", "ada", 5000)],
      adjustments: [adjustment("a1", "ada", -1200), adjustment("a2", "ada", -300)],
      minimumPayout: min(2500),
      now: NOW,
    });
    expect(plan.payouts).toEqual([
      {
        creatorId: "ada",
        currency: "USD",
        amount: 3500,
        commissionTotal: 5000,
        adjustmentTotal: -1500,
        commissions: [{ id: "c1", amount: 5000 }],
        adjustments: [
          { id: "a1", amount: -1200 },
          { id: "a2", amount: -300 },
        ],
      },
    ]);
  });

  it("carries a balance below the minimum over whole, and a negative balance too", () => {
    const plan = planPayoutRun({
      commissions: [commission("c1", "ada", 2000), commission("c2", "ben", 1000)],
      adjustments: [adjustment("a1", "ben", -1500), adjustment("a2", "cy", -100)],
      minimumPayout: min(2500),
      now: NOW,
    });
    expect(plan.payouts).toEqual([]);
    expect(plan.carryOver).toEqual([
      {
        creatorId: "ada",
        currency: "USD",
        balance: 2000,
        reason: "below_minimum",
        commissionIds: ["c1"],
        adjustmentIds: [],
      },
      {
        creatorId: "ben",
        currency: "USD",
        balance: -500,
        reason: "negative_balance",
        commissionIds: ["c2"],
        adjustmentIds: ["a1"],
      },
      {
        creatorId: "cy",
        currency: "USD",
        balance: -100,
        reason: "negative_balance",
        commissionIds: [],
        adjustmentIds: ["a2"],
      },
    ]);
  });

  it("pays exactly the minimum", () => {
    const plan = planPayoutRun({
      commissions: [commission("c1", "ada", 2500)],
      adjustments: [],
      minimumPayout: min(2500),
      now: NOW,
    });
    expect(plan.payouts.map((p) => p.amount)).toEqual([2500]);
  });

  it("leaves out commissions still on hold, worth nothing, or listed twice", () => {
    const plan = planPayoutRun({
      commissions: [
        commission("c1", "ada", 3000),
        commission("c1", "ada", 3000),
        commission("c2", "ada", 9000, { holdUntil: FUTURE }),
        commission("c3", "ada", 0),
        commission("c4", "ada", 100, { holdUntil: NOW }),
      ],
      adjustments: [adjustment("a1", "ada", -100), adjustment("a1", "ada", -100), adjustment("a0", "ada", 0)],
      minimumPayout: min(0),
      now: NOW,
    });
    expect(plan.payouts).toHaveLength(1);
    expect(plan.payouts[0]!.commissions.map((c) => c.id)).toEqual(["c1", "c4"]);
    expect(plan.payouts[0]!.adjustments.map((a) => a.id)).toEqual(["a1"]);
    expect(plan.payouts[0]!.amount).toBe(3000);
  });

  it("uses each currency's own minimum", () => {
    const plan = planPayoutRun({
      commissions: [commission("c1", "ada", 3000), commission("c2", "ada", 3000, { currency: "JPY" })],
      adjustments: [],
      minimumPayout: (currency) => (currency === "JPY" ? 5000 : 2500),
      now: NOW,
    });
    expect(plan.payouts.map((p) => p.currency)).toEqual(["USD"]);
    expect(plan.carryOver.map((c) => [c.currency, c.reason])).toEqual([["JPY", "below_minimum"]]);
  });

  it("refuses fractional amounts", () => {
    expect(() =>
      planPayoutRun({ commissions: [commission("c1", "ada", 1.5)], adjustments: [], minimumPayout: min(0), now: NOW }),
    ).toThrow(RangeError);
  });

  const creatorArb = fc.constantFrom("ada", "ben", "cy");
  const currencyArb = fc.constantFrom("USD", "EUR", "JPY");
  const commissionsArb = fc.array(
    fc.record({
      id: fc.integer({ min: 1, max: 60 }).map((n) => `c${n}`),
      creatorId: creatorArb,
      currency: currencyArb,
      amount: fc.integer({ min: 0, max: 10_000 }),
      holdUntil: fc.constantFrom(PAST, NOW, FUTURE),
    }),
    { maxLength: 40 },
  );
  const adjustmentsArb = fc.array(
    fc.record({
      id: fc.integer({ min: 1, max: 30 }).map((n) => `a${n}`),
      creatorId: creatorArb,
      currency: currencyArb,
      amount: fc.integer({ min: -8000, max: 2000 }),
    }),
    { maxLength: 15 },
  );

  it("never pays a commission twice, never pays a negative amount, never mixes currencies, and adds up", () => {
    fc.assert(
      fc.property(commissionsArb, adjustmentsArb, fc.nat(6000), (commissions, adjustments, minimum) => {
        const plan = planPayoutRun({ commissions, adjustments, minimumPayout: min(minimum), now: NOW });
        const firstCommission = new Map<string, PayableCommission>();
        for (const c of commissions) if (!firstCommission.has(c.id)) firstCommission.set(c.id, c);
        const firstAdjustment = new Map<string, PayableAdjustment>();
        for (const a of adjustments) if (!firstAdjustment.has(a.id)) firstAdjustment.set(a.id, a);

        const paidCommissions = plan.payouts.flatMap((p) => p.commissions.map((c) => c.id));
        expect(new Set(paidCommissions).size).toBe(paidCommissions.length);
        const paidAdjustments = plan.payouts.flatMap((p) => p.adjustments.map((a) => a.id));
        expect(new Set(paidAdjustments).size).toBe(paidAdjustments.length);

        const groups = new Set<string>();
        for (const p of plan.payouts) {
          const group = `${p.creatorId}/${p.currency}`;
          expect(groups.has(group)).toBe(false);
          groups.add(group);
          expect(p.amount).toBeGreaterThan(0);
          expect(p.amount).toBeGreaterThanOrEqual(minimum);
          for (const item of p.commissions) {
            const source = firstCommission.get(item.id)!;
            expect(source.currency).toBe(p.currency);
            expect(source.creatorId).toBe(p.creatorId);
            expect(item.amount).toBe(source.amount);
            expect(source.holdUntil.getTime()).toBeLessThanOrEqual(NOW.getTime());
          }
          for (const item of p.adjustments) {
            const source = firstAdjustment.get(item.id)!;
            expect(source.currency).toBe(p.currency);
            expect(source.creatorId).toBe(p.creatorId);
            expect(item.amount).toBe(source.amount);
          }
          const commissionTotal = p.commissions.reduce((s, c) => s + c.amount, 0);
          const adjustmentTotal = p.adjustments.reduce((s, a) => s + a.amount, 0);
          expect(p.commissionTotal).toBe(commissionTotal);
          expect(p.adjustmentTotal).toBe(adjustmentTotal);
          expect(p.amount).toBe(commissionTotal + adjustmentTotal);
        }
        // Everything payable is either paid or carried over, and nothing is both.
        const carried = plan.carryOver.flatMap((c) => c.commissionIds);
        for (const id of carried) expect(paidCommissions).not.toContain(id);
        const payable = [...firstCommission.values()]
          .filter((c) => c.amount > 0 && c.holdUntil <= NOW)
          .map((c) => c.id);
        expect([...paidCommissions, ...carried].sort()).toEqual([...payable].sort());
        const carriedAdjustments = plan.carryOver.flatMap((c) => c.adjustmentIds);
        const nonZero = [...firstAdjustment.values()].filter((a) => a.amount !== 0).map((a) => a.id);
        expect([...paidAdjustments, ...carriedAdjustments].sort()).toEqual([...nonZero].sort());
        for (const c of plan.carryOver) {
          expect(c.balance < minimum || c.balance <= 0).toBe(true);
          expect(groups.has(`${c.creatorId}/${c.currency}`)).toBe(false);
        }
      }),
    );
  });
});
