import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  budgetBreakdown,
  budgetBreakdownOfCommissions,
  budgetReservation,
  type LedgerEntry,
  LedgerEntrySchema,
  ledgerEntriesForChange,
  ledgerTransfers,
  summarizeLedger,
} from "./budget.ts";
import { applyReconciliation, type CommissionState, type OrderSnapshot, reconcileCommission } from "./lifecycle.ts";

const both = (before: Parameters<typeof ledgerTransfers>[0], after: Parameters<typeof ledgerTransfers>[1]) => [
  ...ledgerEntriesForChange(before, after),
  ...ledgerTransfers(before, after),
];

describe("ledgerTransfers", () => {
  it("moves an approved commission's budget from reserved to released", () => {
    expect(both({ status: "pending", amount: 1000 }, { status: "approved", amount: 1000 })).toEqual([
      { kind: "approve", amount: 1000 },
    ]);
  });

  it("moves a paid commission's budget from released to paid", () => {
    expect(both({ status: "approved", amount: 1000 }, { status: "paid", amount: 1000 })).toEqual([
      { kind: "pay", amount: 1000 },
    ]);
  });

  it("frees a refunded part of an approved commission from the released bucket", () => {
    const entries = both({ status: "approved", amount: 1000 }, { status: "approved", amount: 750 });
    expect(entries).toEqual([
      { kind: "release", amount: 250 },
      { kind: "approve", amount: -250 },
    ]);
    expect(
      budgetBreakdown([{ kind: "reserve", amount: 1000 }, { kind: "approve", amount: 1000 }, ...entries], null),
    ).toEqual({ reserved: 0, released: 750, paid: 0, used: 750, remaining: null });
  });

  it("returns a clawback after payment from the paid bucket and nothing else", () => {
    expect(both({ status: "paid", amount: 1000 }, { status: "paid", amount: 400 })).toEqual([
      { kind: "return", amount: 600 },
    ]);
  });

  it("puts a restored order's commission back in its bucket", () => {
    expect(both({ status: "reversed", amount: 0 }, { status: "approved", amount: 1000 })).toEqual([
      { kind: "adjust", amount: 1000 },
      { kind: "approve", amount: 1000 },
    ]);
    expect(both({ status: "paid", amount: 0 }, { status: "paid", amount: 1000 })).toEqual([
      { kind: "adjust", amount: 1000 },
      { kind: "approve", amount: 1000 },
      { kind: "pay", amount: 1000 },
    ]);
  });

  it("records nothing for changes that hold no budget", () => {
    expect(both({ status: "rejected", amount: 0 }, { status: "rejected", amount: 0 })).toEqual([]);
    expect(both({ status: "reversed", amount: 0 }, { status: "paid", amount: 0 })).toEqual([]);
  });
});

describe("budgetBreakdown", () => {
  it("shows reserved, released, paid and what remains under the cap", () => {
    const entries: LedgerEntry[] = [
      { kind: "reserve", amount: 1000 },
      { kind: "reserve", amount: 2000 },
      { kind: "reserve", amount: 500 },
      { kind: "approve", amount: 2000 },
      { kind: "approve", amount: 500 },
      { kind: "pay", amount: 500 },
    ];
    expect(budgetBreakdown(entries, 10_000)).toEqual({
      reserved: 1000,
      released: 2000,
      paid: 500,
      used: 3500,
      remaining: 6500,
    });
    expect(budgetBreakdown(entries, 10_000).used).toBe(summarizeLedger(entries).net);
  });
});

// The campaign life of budget.test.ts, with payouts that may settle a commission in any state (one that
// changed while its payout was in flight): the ledger's buckets always equal what the commissions hold.
type Step =
  | { kind: "create"; original: number }
  | { kind: "order"; index: number; snapshot: OrderSnapshot; late: boolean }
  | { kind: "pay"; index: number; any: boolean };

const snapshotArb: fc.Arbitrary<OrderSnapshot> = fc.record({
  status: fc.constantFrom("pending", "confirmed", "reversed") as fc.Arbitrary<OrderSnapshot["status"]>,
  total: fc.constant(10_000),
  refunded: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10_000 }), fc.constant(10_000)),
});

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("create" as const), original: fc.nat(5000) }),
  fc.record({ kind: fc.constant("order" as const), index: fc.nat(), snapshot: snapshotArb, late: fc.boolean() }),
  fc.record({ kind: fc.constant("pay" as const), index: fc.nat(), any: fc.boolean() }),
);

const HOLD = new Date("2025-04-01T00:00:00.000Z");

describe("ledger buckets", () => {
  it("always equal the sums of pending, approved and paid commissions", () => {
    fc.assert(
      fc.property(fc.option(fc.nat(20_000), { nil: null }), fc.array(stepArb, { maxLength: 40 }), (cap, steps) => {
        const ledger: LedgerEntry[] = [];
        const commissions: CommissionState[] = [];
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
          } else if (commissions.length > 0) {
            const i = step.index % commissions.length;
            const before = commissions[i]!;
            let after: CommissionState;
            if (step.kind === "pay") {
              const payable = step.any
                ? before.status === "pending" || before.status === "approved" || before.status === "reversed"
                : before.status === "approved";
              if (!payable) continue;
              // A payout settled with the amount it was planned with; the difference becomes an adjustment.
              const paidAmount = step.any ? before.original : before.amount;
              after = { ...before, status: "paid", paidAmount, adjustments: before.amount - paidAmount };
            } else {
              const now = new Date(HOLD.getTime() + (step.late ? 1 : -1));
              after = applyReconciliation(before, reconcileCommission({ existing: before, order: step.snapshot, now }));
            }
            ledger.push(...ledgerEntriesForChange(before, after), ...ledgerTransfers(before, after));
            commissions[i] = after;
          }
          expect(budgetBreakdown(ledger, cap)).toEqual(budgetBreakdownOfCommissions(commissions, cap));
          expect(budgetBreakdown(ledger, cap).used).toBe(summarizeLedger(ledger).net);
          for (const entry of ledger) expect(LedgerEntrySchema.safeParse(entry).success).toBe(true);
        }
        for (const c of commissions) if (c.status === "paid") expect(c.paidAmount + c.adjustments).toBe(c.amount);
      }),
    );
  });
});
