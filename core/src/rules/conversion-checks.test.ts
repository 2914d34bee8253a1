import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkBelowMinimumOrder,
  checkCurrencyMismatch,
  checkDuplicate,
  checkSelfReferral,
  checkTestOrder,
} from "./conversion-checks.ts";
import { ruleInput } from "./rule-input.fixture.ts";

describe("checkDuplicate", () => {
  it("rejects a conversion that was already recorded", () => {
    expect(checkDuplicate(ruleInput({ conversion: { duplicate: true } }))).toEqual({
      ok: false,
      rule: "duplicate",
      reason: "the conversion was already recorded",
    });
  });

  it("passes a first conversion", () => {
    expect(checkDuplicate(ruleInput())).toEqual({ ok: true });
  });
});

describe("checkTestOrder", () => {
  it("rejects a test order", () => {
    expect(checkTestOrder(ruleInput({ conversion: { isTest: true } }))).toMatchObject({
      ok: false,
      rule: "test_order",
    });
  });

  it("passes a real order", () => {
    expect(checkTestOrder(ruleInput())).toEqual({ ok: true });
  });
});

describe("checkBelowMinimumOrder", () => {
  it("rejects a purchase below the minimum with both amounts in the reason", () => {
    const input = ruleInput({ conversion: { value: 800 }, campaign: { minOrderValue: 1000 } });
    expect(checkBelowMinimumOrder(input)).toEqual({
      ok: false,
      rule: "below_minimum_order",
      reason: "order value 8.00 USD is below the campaign minimum 10.00 USD",
    });
  });

  it("passes a purchase exactly at the minimum", () => {
    expect(
      checkBelowMinimumOrder(ruleInput({ conversion: { value: 1000 }, campaign: { minOrderValue: 1000 } })),
    ).toEqual({
      ok: true,
    });
  });

  it("formats amounts with the currency's own precision", () => {
    const input = ruleInput({
      conversion: { value: 800, currency: "JPY" },
      campaign: { minOrderValue: 1000, currency: "JPY" },
    });
    expect(checkBelowMinimumOrder(input)).toMatchObject({
      reason: "order value 800 JPY is below the campaign minimum 1000 JPY",
    });
  });

  it("never applies to sign-ups, leads or custom goals", () => {
    for (const kind of ["sign_up", "lead", "custom"] as const) {
      expect(
        checkBelowMinimumOrder(ruleInput({ conversion: { kind, value: 0 }, campaign: { minOrderValue: 1000 } })),
      ).toEqual({
        ok: true,
      });
    }
  });

  it("passes anything when the campaign has no minimum", () => {
    expect(checkBelowMinimumOrder(ruleInput({ conversion: { value: 0 }, campaign: { minOrderValue: 0 } }))).toEqual({
      ok: true,
    });
  });

  it("rejects a purchase in another currency because the minimum cannot be compared", () => {
    const input = ruleInput({ conversion: { value: 99_999, currency: "EUR" }, campaign: { minOrderValue: 1000 } });
    expect(checkBelowMinimumOrder(input)).toEqual({
      ok: false,
      rule: "below_minimum_order",
      reason:
        "order value 999.99 EUR is not in the campaign currency USD, so the campaign minimum 10.00 USD cannot be checked",
    });
  });

  it("rejects exactly the purchases whose value is below the minimum", () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(1_000_000), (value, minOrderValue) => {
        const verdict = checkBelowMinimumOrder(ruleInput({ conversion: { value }, campaign: { minOrderValue } }));
        expect(verdict.ok).toBe(value >= minOrderValue);
      }),
    );
  });
});

describe("checkSelfReferral", () => {
  it("rejects a customer whose email is the creator's", () => {
    const input = ruleInput({ conversion: { customerEmailHash: "same" }, creator: { emailHash: "same" } });
    expect(checkSelfReferral(input)).toEqual({
      ok: false,
      rule: "self_referral",
      reason: "the customer's email address is the creator's own",
    });
  });

  it("passes a different customer", () => {
    expect(checkSelfReferral(ruleInput())).toEqual({ ok: true });
  });

  it("passes when either email is unknown", () => {
    expect(
      checkSelfReferral(ruleInput({ conversion: { customerEmailHash: null }, creator: { emailHash: null } })),
    ).toEqual({
      ok: true,
    });
    expect(
      checkSelfReferral(ruleInput({ conversion: { customerEmailHash: "x" }, creator: { emailHash: null } })),
    ).toEqual({
      ok: true,
    });
    expect(
      checkSelfReferral(ruleInput({ conversion: { customerEmailHash: null }, creator: { emailHash: "x" } })),
    ).toEqual({
      ok: true,
    });
  });

  it("does not treat two empty hashes as the same person", () => {
    expect(checkSelfReferral(ruleInput({ conversion: { customerEmailHash: "" }, creator: { emailHash: "" } }))).toEqual(
      {
        ok: true,
      },
    );
  });
});

describe("checkCurrencyMismatch", () => {
  const flat = { type: "flat" as const, amount: 500 };

  it("rejects a flat commission on an order in another currency, by name, never reinterpreting the amount", () => {
    for (const currency of ["JPY", "KWD"]) {
      expect(checkCurrencyMismatch({ ...ruleInput({ conversion: { currency } }), commission: flat })).toEqual({
        ok: false,
        rule: "currency_mismatch",
        reason: `the flat commission of 5.00 USD cannot be paid on an order in ${currency}: the order has no amounts in USD`,
      });
    }
  });

  it("passes a flat commission in the campaign's currency, a percentage in any currency, and no rule at all", () => {
    expect(checkCurrencyMismatch({ ...ruleInput(), commission: flat })).toEqual({ ok: true });
    const jpy = ruleInput({ conversion: { currency: "JPY" } });
    expect(checkCurrencyMismatch({ ...jpy, commission: { type: "percentage" } })).toEqual({ ok: true });
    expect(checkCurrencyMismatch({ ...jpy, commission: null })).toEqual({ ok: true });
    expect(checkCurrencyMismatch(jpy)).toEqual({ ok: true });
  });
});
