import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dueAmount } from "../commissions/lifecycle.ts";
import {
  byCurrency,
  commissionContribution,
  conversionCount,
  conversionRate,
  currencyFiguresJson,
  emptyCommissionTotals,
  moneyJson,
  netRevenue,
  orderOutcome,
  returnOnSpend,
  reversedAmount,
  spendOf,
} from "./definitions.ts";

const order = (status: string, total: number, refunded = 0) => ({ status, total, refunded });

describe("orderOutcome", () => {
  it("a kept order is a purchase, even partly refunded", () => {
    expect(orderOutcome(order("confirmed", 10_000))).toBe("purchase");
    expect(orderOutcome(order("pending", 10_000, 9_999))).toBe("purchase");
  });
  it("an order refunded in full is refunded, not a purchase", () => {
    expect(orderOutcome(order("confirmed", 10_000, 10_000))).toBe("refunded");
    expect(orderOutcome(order("confirmed", 10_000, 12_000))).toBe("refunded");
  });
  it("a cancelled order is cancelled, refunded or not", () => {
    expect(orderOutcome(order("reversed", 10_000))).toBe("cancelled");
    expect(orderOutcome(order("reversed", 10_000, 10_000))).toBe("cancelled");
  });
  it("an order of 0.00 has nothing to refund, and a conversion without an order row is a purchase", () => {
    expect(orderOutcome(order("confirmed", 0, 0))).toBe("purchase");
    expect(orderOutcome(null)).toBe("purchase");
  });
});

describe("conversionCount", () => {
  it("counts attributed conversions only: a rejected test order is no purchase", () => {
    expect(conversionCount({ kind: "purchase", status: "attributed" }, order("confirmed", 100))).toBe("purchase");
    expect(conversionCount({ kind: "purchase", status: "rejected" }, order("confirmed", 100))).toBeNull();
    expect(conversionCount({ kind: "purchase", status: "unattributed" }, order("confirmed", 100))).toBeNull();
    expect(conversionCount({ kind: "purchase", status: "attributed" }, order("reversed", 100))).toBe("cancelled");
    expect(conversionCount({ kind: "lead", status: "attributed" }, null)).toBe("sign_up");
    expect(conversionCount({ kind: "custom", status: "attributed" }, null)).toBeNull();
  });
});

describe("netRevenue", () => {
  it("is the credit's share of what the customer kept, rounded down", () => {
    expect(netRevenue(10_000, order("confirmed", 10_000, 3_000))).toBe(7_000);
    expect(netRevenue(3_333, order("confirmed", 10_000, 5_000))).toBe(1_666);
    expect(netRevenue(10_000, order("confirmed", 10_000, 10_000))).toBe(0);
    expect(netRevenue(10_000, order("reversed", 10_000))).toBe(0);
    expect(netRevenue(500, null)).toBe(500);
  });
  it("is exact past 2^53 and never more than the credit nor below 0", () => {
    expect(netRevenue(9_000_000_000_000, order("confirmed", 9_000_000_000_000, 1))).toBe(8_999_999_999_999);
    fc.assert(
      fc.property(fc.nat(1e12), fc.nat(1e12), fc.integer({ min: -1e6, max: 2e12 }), (credit, total, refunded) => {
        const r = netRevenue(credit, order("confirmed", total, refunded));
        return r >= 0 && r <= credit && Number.isInteger(r);
      }),
    );
  });
});

describe("commissions", () => {
  it("a cancel reverses all of a commission and a partial refund part of it: reversed is original minus current", () => {
    expect(commissionContribution({ status: "reversed", amount: 0, original: 1_000 })).toEqual({
      ...emptyCommissionTotals(),
      reversed: 1_000,
    });
    expect(commissionContribution({ status: "pending", amount: 700, original: 1_000 })).toEqual({
      ...emptyCommissionTotals(),
      pending: 700,
      reversed: 300,
    });
    expect(commissionContribution({ status: "paid", amount: 1_500, original: 2_000 })).toEqual({
      ...emptyCommissionTotals(),
      paid: 1_500,
      reversed: 500,
    });
  });
  it("rejected and over-budget commissions count what they would have been, and nothing reversed", () => {
    expect(commissionContribution({ status: "rejected", amount: 0, original: 1_000 })).toEqual({
      ...emptyCommissionTotals(),
      rejected: 1_000,
    });
    expect(reversedAmount({ status: "over_budget", amount: 0, original: 1_000 })).toBe(0);
  });
  it("current plus reversed is always the original, whatever the refunds (with the lifecycle's own amounts)", () => {
    fc.assert(
      fc.property(
        fc.nat(1e9),
        fc.integer({ min: 1, max: 1e9 }),
        fc.nat(2e9),
        fc.constantFrom("pending", "approved", "paid"),
        (original, total, refunded, status) => {
          const amount = dueAmount(original, { status: "confirmed", total, refunded });
          const kept = commissionContribution({ status, amount, original });
          // What the lifecycle stores when the order is cancelled: status reversed, amount 0.
          const cancelled = commissionContribution({ status: "reversed", amount: 0, original });
          return (
            spendOf(kept) + kept.reversed === original && spendOf(cancelled) === 0 && cancelled.reversed === original
          );
        },
      ),
    );
  });
});

describe("rates and money", () => {
  it("conversion rate is (purchases + sign-ups) / qualified clicks, 0 without clicks", () => {
    expect(conversionRate({ purchases: 3, signUps: 1, qualifiedClicks: 8 })).toBe(0.5);
    expect(conversionRate({ purchases: 3, signUps: 1, qualifiedClicks: 0 })).toBe(0);
    expect(returnOnSpend(27_000, 0)).toBeNull();
    expect(returnOnSpend(27_000, 2_700)).toBe(10);
  });
  it("lists the program's currency first, then the others alphabetically", () => {
    const list = ["KWD", "EUR", "USD", "JPY"].map((currency) => ({ currency }));
    expect(list.sort(byCurrency("USD")).map((m) => m.currency)).toEqual(["USD", "EUR", "JPY", "KWD"]);
  });
  it("labels every amount in JSON with its currency, in its own precision", () => {
    expect(moneyJson(63_300, "USD")).toEqual({ amount: "633.00", currency: "USD" });
    expect(moneyJson(500, "JPY")).toEqual({ amount: "500", currency: "JPY" });
    expect(moneyJson(-1_500, "KWD")).toEqual({ amount: "-1.500", currency: "KWD" });
    const json = currencyFiguresJson({
      currency: "EUR",
      revenue: 10_000,
      commissions: { ...emptyCommissionTotals(), pending: 1_000, reversed: 235 },
      returnOnSpend: 10,
    });
    expect(json).toMatchObject({
      revenue: { amount: "100.00", currency: "EUR" },
      commissions: { pending: { amount: "10.00", currency: "EUR" }, reversed: { amount: "2.35", currency: "EUR" } },
      returnOnSpend: 10,
    });
  });
});
