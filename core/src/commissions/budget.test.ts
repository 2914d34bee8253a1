import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  budgetHeld,
  budgetReservation,
  type LedgerEntry,
  LedgerEntrySchema,
  ledgerEntriesForChange,
  summarizeLedger,
} from "./budget.ts";
import { applyReconciliation, type CommissionState, type OrderSnapshot, reconcileCommission } from "./lifecycle.ts";

describe("budgetReservation", () => {
  it("reserves the whole commission when it fits", () => {
    expect(budgetReservation(10_000, 9000, 1000)).toEqual({ reserve: 1000, overBudget: false });
  });

  it("reserves nothing and flags over_budget when the commission does not fit entirely", () => {
    expect(budgetReservation(10_000, 9500, 1000)).toEqual({ reserve: 0, overBudget: true });
  });

  it("never limits a campaign without a cap", () => {
    expect(budgetReservation(null, 1_000_000, 1_000_000)).toEqual({ reserve: 1_000_000, overBudget: false });
  });

  it("lets a zero commission through even on an exhausted budget", () => {
    expect(budgetReservation(100, 150, 0)).toEqual({ reserve: 0, overBudget: false });
  });

  it("refuses a negative amount", () => {
    expect(() => budgetReservation(100, 0, -1)).toThrow(RangeError);
  });

  it("never takes the used budget past the cap", () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(1_000_000), fc.nat(1_000_000), (cap, usedRaw, amount) => {
        const used = Math.min(usedRaw, cap);
        const { reserve, overBudget } = budgetReservation(cap, used, amount);
        expect(reserve === amount || reserve === 0).toBe(true);
        expect(overBudget).toBe(reserve !== amount);
        expect(used + reserve).toBeLessThanOrEqual(cap);
        if (overBudget) expect(used + amount).toBeGreaterThan(cap);
      }),
    );
  });
});

describe("LedgerEntrySchema", () => {
  it("accepts a signed adjust and refuses a negative reserve", () => {
    expect(LedgerEntrySchema.safeParse({ kind: "adjust", amount: -5 }).success).toBe(true);
    expect(LedgerEntrySchema.safeParse({ kind: "reserve", amount: -5 }).success).toBe(false);
    expect(LedgerEntrySchema.safeParse({ kind: "reserve", amount: 1.5 }).success).toBe(false);
  });
});

describe("summarizeLedger", () => {
  it("nets reservations against releases, returns and adjustments", () => {
    const entries: LedgerEntry[] = [
      { kind: "reserve", amount: 1000 },
      { kind: "reserve", amount: 500 },
      { kind: "release", amount: 200 },
      { kind: "return", amount: 100 },
      { kind: "adjust", amount: 50 },
      { kind: "adjust", amount: -20 },
    ];
    expect(summarizeLedger(entries)).toEqual({ reserved: 1500, released: 200, returned: 100, adjusted: 30, net: 1230 });
  });

  it("is all zeros for an empty ledger", () => {
    expect(summarizeLedger([])).toEqual({ reserved: 0, released: 0, returned: 0, adjusted: 0, net: 0 });
  });
});

describe("ledgerEntriesForChange", () => {
  it("releases budget when an unpaid commission shrinks or is reversed", () => {
    expect(ledgerEntriesForChange({ status: "pending", amount: 1000 }, { status: "pending", amount: 600 })).toEqual([
      { kind: "release", amount: 400 },
    ]);
    expect(ledgerEntriesForChange({ status: "approved", amount: 1000 }, { status: "reversed", amount: 0 })).toEqual([
      { kind: "release", amount: 1000 },
    ]);
  });

  it("records a return when a paid commission is clawed back", () => {
    expect(ledgerEntriesForChange({ status: "paid", amount: 1000 }, { status: "paid", amount: 250 })).toEqual([
      { kind: "return", amount: 750 },
    ]);
  });

  it("records a positive adjust when a reversed commission comes back", () => {
    expect(ledgerEntriesForChange({ status: "reversed", amount: 0 }, { status: "pending", amount: 1000 })).toEqual([
      { kind: "adjust", amount: 1000 },
    ]);
  });

  it("records nothing when the budget held does not change", () => {
    expect(ledgerEntriesForChange({ status: "pending", amount: 1000 }, { status: "approved", amount: 1000 })).toEqual(
      [],
    );
    expect(
      ledgerEntriesForChange({ status: "over_budget", amount: 1000 }, { status: "over_budget", amount: 1000 }),
    ).toEqual([]);
  });

  it("counts nothing for rejected and over_budget commissions", () => {
    expect(budgetHeld({ status: "rejected", amount: 1000 })).toBe(0);
    expect(budgetHeld({ status: "over_budget", amount: 1000 })).toBe(0);
    expect(budgetHeld({ status: "paid", amount: 700 })).toBe(700);
  });
});

// A campaign's life: commissions are created against the cap, orders change in any order, approved
// commissions are paid out. After every step the ledger must equal what the commissions hold.
type Step =
  | { kind: "create"; original: number }
  | { kind: "order"; index: number; snapshot: OrderSnapshot; late: boolean }
  | { kind: "pay"; index: number };

const snapshotArb: fc.Arbitrary<OrderSnapshot> = fc.record({
  status: fc.constantFrom("pending", "confirmed", "reversed") as fc.Arbitrary<OrderSnapshot["status"]>,
  total: fc.constant(10_000),
  refunded: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10_000 }), fc.constant(10_000)),
});

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("create" as const), original: fc.nat(5000) }),
  fc.record({ kind: fc.constant("order" as const), index: fc.nat(), snapshot: snapshotArb, late: fc.boolean() }),
  fc.record({ kind: fc.constant("pay" as const), index: fc.nat() }),
);

const HOLD = new Date("2025-04-01T00:00:00.000Z");

describe("budget ledger properties", () => {
  it("always balances against the commissions it funds, and reservations never pass the cap", () => {
    fc.assert(
      fc.property(fc.option(fc.nat(20_000), { nil: null }), fc.array(stepArb, { maxLength: 40 }), (cap, steps) => {
        const ledger: LedgerEntry[] = [];
        const commissions: CommissionState[] = [];
        const held = () => commissions.reduce((sum, c) => sum + budgetHeld(c), 0);
        let increased = false;

        for (const step of steps) {
          if (step.kind === "create") {
            const { reserve, overBudget } = budgetReservation(cap, summarizeLedger(ledger).net, step.original);
            if (reserve > 0) ledger.push({ kind: "reserve", amount: reserve });
            commissions.push({
              status: overBudget ? "over_budget" : "pending",
              amount: step.original,
              original: step.original,
              paidAmount: 0,
              adjustments: 0,
              holdUntil: HOLD,
            });
            if (!increased && cap !== null) expect(summarizeLedger(ledger).net).toBeLessThanOrEqual(cap);
          } else if (commissions.length > 0) {
            const i = step.index % commissions.length;
            const before = commissions[i]!;
            let after: CommissionState;
            if (step.kind === "pay") {
              if (before.status !== "approved") continue;
              after = { ...before, status: "paid", paidAmount: before.amount, adjustments: 0 };
            } else {
              const now = new Date(HOLD.getTime() + (step.late ? 1 : -1));
              after = applyReconciliation(before, reconcileCommission({ existing: before, order: step.snapshot, now }));
            }
            const entries = ledgerEntriesForChange(before, after);
            if (entries.some((e) => e.kind === "adjust")) increased = true;
            ledger.push(...entries);
            commissions[i] = after;
          }
          const summary = summarizeLedger(ledger);
          expect(summary.net).toBe(held());
          expect(summary.net).toBeGreaterThanOrEqual(0);
          for (const entry of ledger) expect(LedgerEntrySchema.safeParse(entry).success).toBe(true);
        }
      }),
    );
  });
});
