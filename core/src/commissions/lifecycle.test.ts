import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyReconciliation,
  approveDue,
  type CommissionState,
  type CommissionStatus,
  dueAmount,
  holdUntil,
  type OrderSnapshot,
  reconcileCommission,
} from "./lifecycle.ts";

const HOLD = new Date("2025-04-01T00:00:00.000Z");
const BEFORE_HOLD = new Date("2025-03-20T00:00:00.000Z");
const AFTER_HOLD = new Date("2025-04-02T00:00:00.000Z");

function commission(overrides: Partial<CommissionState> = {}): CommissionState {
  return {
    status: "pending",
    amount: 1000,
    original: 1000,
    paidAmount: 0,
    adjustments: 0,
    holdUntil: HOLD,
    ...overrides,
  };
}

function order(overrides: Partial<OrderSnapshot> = {}): OrderSnapshot {
  return { status: "confirmed", total: 10_000, refunded: 0, ...overrides };
}

function paid(amount = 1000): CommissionState {
  return commission({ status: "paid", amount, paidAmount: amount });
}

describe("holdUntil", () => {
  it("adds whole 24-hour days to the conversion time", () => {
    expect(holdUntil(new Date("2025-03-01T10:00:00.000Z"), 30)).toEqual(new Date("2025-03-31T10:00:00.000Z"));
  });

  it("is the conversion time itself with no holding period", () => {
    const at = new Date("2025-03-01T10:00:00.000Z");
    expect(holdUntil(at, 0)).toEqual(at);
  });

  it("refuses a negative or fractional number of days", () => {
    expect(() => holdUntil(new Date(0), -1)).toThrow(RangeError);
    expect(() => holdUntil(new Date(0), 1.5)).toThrow(RangeError);
  });
});

describe("dueAmount", () => {
  it("is the original commission when nothing was refunded", () => {
    expect(dueAmount(1000, order())).toBe(1000);
  });

  it("is pro rata to what remains of the order, a half unit going to the creator", () => {
    expect(dueAmount(1000, order({ refunded: 2500 }))).toBe(750);
    // 999 × 1/2 = 499.5
    expect(dueAmount(999, order({ total: 2, refunded: 1 }))).toBe(500);
    // 1000 × 2/3 = 666.67
    expect(dueAmount(1000, order({ total: 3, refunded: 1 }))).toBe(667);
  });

  it("is zero when the order is reversed or fully refunded", () => {
    expect(dueAmount(1000, order({ status: "reversed" }))).toBe(0);
    expect(dueAmount(1000, order({ refunded: 10_000 }))).toBe(0);
    expect(dueAmount(1000, order({ refunded: 12_000 }))).toBe(0);
  });

  it("keeps the whole commission on an order with nothing to refund", () => {
    expect(dueAmount(300, order({ total: 0 }))).toBe(300);
    expect(dueAmount(300, order({ total: 0, status: "reversed" }))).toBe(0);
  });

  it("stays exact for amounts near the largest safe integer", () => {
    const big = Number.MAX_SAFE_INTEGER;
    expect(dueAmount(big, order({ total: big, refunded: 1 }))).toBe(big - 1);
  });
});

describe("reconcileCommission", () => {
  it("leaves a pending commission pending during the hold", () => {
    expect(reconcileCommission({ existing: commission(), order: order(), now: BEFORE_HOLD })).toEqual({
      status: "pending",
      amount: 1000,
      newAdjustment: 0,
      changed: false,
    });
  });

  it("approves a confirmed order once the hold has passed", () => {
    expect(reconcileCommission({ existing: commission(), order: order(), now: AFTER_HOLD })).toEqual({
      status: "approved",
      amount: 1000,
      newAdjustment: 0,
      changed: true,
    });
  });

  it("approves at the hold instant itself", () => {
    expect(reconcileCommission({ existing: commission(), order: order(), now: HOLD }).status).toBe("approved");
  });

  it("settles a commission of 0.00 at once on a paid order, without waiting for the hold", () => {
    const zero = commission({ amount: 0, original: 0 });
    expect(reconcileCommission({ existing: zero, order: order(), now: BEFORE_HOLD })).toEqual({
      status: "approved",
      amount: 0,
      newAdjustment: 0,
      changed: true,
    });
    // Settled means settled: the next sweep finds nothing to do.
    expect(
      reconcileCommission({ existing: { ...zero, status: "approved" }, order: order(), now: AFTER_HOLD }).changed,
    ).toBe(false);
    expect(reconcileCommission({ existing: zero, order: order({ status: "pending" }), now: AFTER_HOLD }).status).toBe(
      "pending",
    );
  });

  it("does not approve an order that is not paid yet", () => {
    expect(
      reconcileCommission({ existing: commission(), order: order({ status: "pending" }), now: AFTER_HOLD }).status,
    ).toBe("pending");
  });

  it("reduces the amount on a partial refund without changing the status", () => {
    expect(reconcileCommission({ existing: commission(), order: order({ refunded: 4000 }), now: BEFORE_HOLD })).toEqual(
      {
        status: "pending",
        amount: 600,
        newAdjustment: 0,
        changed: true,
      },
    );
    const approved = commission({ status: "approved" });
    expect(
      reconcileCommission({ existing: approved, order: order({ refunded: 4000 }), now: AFTER_HOLD }),
    ).toMatchObject({
      status: "approved",
      amount: 600,
    });
  });

  it.each(["pending", "approved"] as const)("reverses a %s commission when the order is reversed", (status) => {
    expect(
      reconcileCommission({ existing: commission({ status }), order: order({ status: "reversed" }), now: AFTER_HOLD }),
    ).toEqual({
      status: "reversed",
      amount: 0,
      newAdjustment: 0,
      changed: true,
    });
  });

  it("reverses a commission whose order is fully refunded", () => {
    expect(
      reconcileCommission({ existing: commission(), order: order({ refunded: 10_000 }), now: BEFORE_HOLD }),
    ).toMatchObject({
      status: "reversed",
      amount: 0,
    });
  });

  it("returns a reversed commission to pending when its order is restored during the hold", () => {
    const existing = commission({ status: "reversed", amount: 0 });
    expect(reconcileCommission({ existing, order: order(), now: BEFORE_HOLD })).toEqual({
      status: "pending",
      amount: 1000,
      newAdjustment: 0,
      changed: true,
    });
  });

  it("approves a restored commission straight away when the hold has already passed", () => {
    const existing = commission({ status: "reversed", amount: 0 });
    expect(reconcileCommission({ existing, order: order(), now: AFTER_HOLD }).status).toBe("approved");
  });

  it("sends an approved commission back to pending when the order is no longer paid", () => {
    const existing = commission({ status: "approved" });
    expect(reconcileCommission({ existing, order: order({ status: "pending" }), now: AFTER_HOLD })).toMatchObject({
      status: "pending",
      changed: true,
    });
  });

  it.each(["rejected", "over_budget"] as const)("never changes a %s commission", (status) => {
    const existing = commission({ status, amount: 1000 });
    for (const o of [order(), order({ status: "reversed" }), order({ refunded: 5000 })]) {
      expect(reconcileCommission({ existing, order: o, now: AFTER_HOLD })).toEqual({
        status,
        amount: 1000,
        newAdjustment: 0,
        changed: false,
      });
    }
  });

  it("leaves a paid commission alone while the order stands", () => {
    expect(reconcileCommission({ existing: paid(), order: order(), now: AFTER_HOLD })).toEqual({
      status: "paid",
      amount: 1000,
      newAdjustment: 0,
      changed: false,
    });
  });

  it("claws back a refund after payout as a negative adjustment", () => {
    expect(reconcileCommission({ existing: paid(), order: order({ refunded: 2500 }), now: AFTER_HOLD })).toEqual({
      status: "paid",
      amount: 750,
      newAdjustment: -250,
      changed: true,
    });
  });

  it("claws back only what was not clawed back already", () => {
    const existing = commission({ status: "paid", amount: 750, paidAmount: 1000, adjustments: -250 });
    expect(reconcileCommission({ existing, order: order({ status: "reversed" }), now: AFTER_HOLD })).toEqual({
      status: "paid",
      amount: 0,
      newAdjustment: -750,
      changed: true,
    });
  });

  it("re-credits a clawback when an order reversed after payout is restored", () => {
    const existing = commission({ status: "paid", amount: 0, paidAmount: 1000, adjustments: -1000 });
    expect(reconcileCommission({ existing, order: order(), now: AFTER_HOLD })).toEqual({
      status: "paid",
      amount: 1000,
      newAdjustment: 1000,
      changed: true,
    });
  });

  it("is a no-op when replayed after its result was stored", () => {
    const existing = paid();
    const first = reconcileCommission({ existing, order: order({ refunded: 3000 }), now: AFTER_HOLD });
    const stored = applyReconciliation(existing, first);
    expect(reconcileCommission({ existing: stored, order: order({ refunded: 3000 }), now: AFTER_HOLD })).toEqual({
      status: "paid",
      amount: 700,
      newAdjustment: 0,
      changed: false,
    });
  });
});

describe("approveDue", () => {
  it("returns only the commissions the sweep changes", () => {
    const items = [
      { id: "due", existing: commission(), order: order() },
      { id: "held", existing: commission({ holdUntil: new Date("2025-05-01T00:00:00.000Z") }), order: order() },
      { id: "unpaid", existing: commission(), order: order({ status: "pending" }) },
    ];
    const changed = approveDue(items, AFTER_HOLD);
    expect(changed.map((c) => [c.item.id, c.result.status])).toEqual([["due", "approved"]]);
  });
});

// ---- properties ----

const T0 = HOLD.getTime();

const snapshotArb = fc.integer({ min: 0, max: 20_000 }).chain((total) =>
  fc.record({
    status: fc.constantFrom("pending", "confirmed", "reversed") as fc.Arbitrary<OrderSnapshot["status"]>,
    total: fc.constant(total),
    refunded: fc.oneof(fc.integer({ min: 0, max: total }), fc.constant(0), fc.constant(total)),
  }),
);

const nowArb = fc.integer({ min: T0 - 10 * 86_400_000, max: T0 + 10 * 86_400_000 }).map((ms) => new Date(ms));

/** A commission as created: pending at its original amount, or paid out at some amount. */
const startArb: fc.Arbitrary<CommissionState> = fc
  .record({
    original: fc.nat(1_000_000),
    status: fc.constantFrom(
      "pending",
      "approved",
      "reversed",
      "paid",
      "rejected",
      "over_budget",
    ) as fc.Arbitrary<CommissionStatus>,
    fraction: fc.integer({ min: 0, max: 100 }),
  })
  .map(({ original, status, fraction }) => {
    const amount = Math.floor((original * fraction) / 100);
    return commission({
      status,
      original,
      amount: status === "reversed" ? 0 : status === "pending" || status === "approved" ? original : amount,
      paidAmount: status === "paid" ? amount : 0,
    });
  });

function replay(start: CommissionState, snapshots: readonly OrderSnapshot[], now: Date): CommissionState {
  let state = start;
  for (const snapshot of snapshots)
    state = applyReconciliation(state, reconcileCommission({ existing: state, order: snapshot, now }));
  return state;
}

describe("reconcileCommission properties", () => {
  it("ends in a state that depends only on the last order snapshot, whatever came before", () => {
    fc.assert(
      fc.property(
        startArb,
        fc.array(snapshotArb, { maxLength: 12 }),
        snapshotArb,
        nowArb,
        (start, history, last, now) => {
          const viaHistory = replay(start, [...history, last], now);
          const direct = replay(start, [last], now);
          expect(viaHistory).toEqual(direct);
        },
      ),
    );
  });

  it("ends in the same state for any permutation of the same snapshots once the last one is fixed", () => {
    fc.assert(
      fc.property(
        startArb,
        fc
          .array(snapshotArb, { maxLength: 10 })
          .chain((snaps) => fc.tuple(fc.constant(snaps), fc.shuffledSubarray(snaps, { minLength: snaps.length }))),
        snapshotArb,
        nowArb,
        (start, [snaps, shuffled], last, now) => {
          expect(replay(start, [...shuffled, last], now)).toEqual(replay(start, [...snaps, last], now));
        },
      ),
    );
  });

  it("never produces a negative amount, nor more than the original", () => {
    fc.assert(
      fc.property(startArb, fc.array(snapshotArb, { minLength: 1, maxLength: 12 }), nowArb, (start, snapshots, now) => {
        let state = start;
        for (const snapshot of snapshots) {
          const result = reconcileCommission({ existing: state, order: snapshot, now });
          expect(result.amount).toBeGreaterThanOrEqual(0);
          if (state.status !== "rejected" && state.status !== "over_budget")
            expect(result.amount).toBeLessThanOrEqual(state.original);
          state = applyReconciliation(state, result);
        }
      }),
    );
  });

  it("keeps paid plus adjustments equal to what is due for a paid commission", () => {
    fc.assert(
      fc.property(
        startArb.filter((s) => s.status === "paid"),
        fc.array(snapshotArb, { minLength: 1, maxLength: 12 }),
        nowArb,
        (start, snapshots, now) => {
          let state = start;
          for (const snapshot of snapshots) {
            const result = reconcileCommission({ existing: state, order: snapshot, now });
            state = applyReconciliation(state, result);
            expect(state.status).toBe("paid");
            expect(state.paidAmount + state.adjustments).toBe(dueAmount(state.original, snapshot));
            expect(state.amount).toBe(dueAmount(state.original, snapshot));
          }
        },
      ),
    );
  });

  it("is idempotent: replaying the same snapshot changes nothing and records no adjustment", () => {
    fc.assert(
      fc.property(
        startArb,
        fc.array(snapshotArb, { maxLength: 6 }),
        snapshotArb,
        nowArb,
        (start, history, snapshot, now) => {
          const state = replay(start, [...history, snapshot], now);
          expect(reconcileCommission({ existing: state, order: snapshot, now })).toEqual({
            status: state.status,
            amount: state.amount,
            newAdjustment: 0,
            changed: false,
          });
        },
      ),
    );
  });

  it("never moves a commission into or out of a terminal status, nor into or out of paid", () => {
    fc.assert(
      fc.property(startArb, snapshotArb, nowArb, (start, snapshot, now) => {
        const { status } = reconcileCommission({ existing: start, order: snapshot, now });
        const sticky = (s: CommissionStatus) => s === "paid" || s === "rejected" || s === "over_budget";
        if (sticky(start.status)) expect(status).toBe(start.status);
        else expect(sticky(status)).toBe(false);
      }),
    );
  });
});
