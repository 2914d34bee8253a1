import { describe, expect, it } from "vitest";
import { describeCommissionRule, describeCommissionRules } from "./describe-commission.ts";

describe("describing a campaign's commission", () => {
  it("names the currency of a flat amount, in its own minor units", () => {
    expect(describeCommissionRule({ type: "flat", amount: 1000 }, "USD", "purchase")).toBe(
      "flat 10.00 USD per purchase",
    );
    expect(describeCommissionRule({ type: "flat", amount: 500 }, "JPY", "purchase")).toBe("flat 500 JPY per purchase");
    expect(describeCommissionRule({ type: "flat", amount: 500 }, "KWD", "sign_up")).toBe("flat 0.500 KWD per sign-up");
  });

  it("prints a percentage without trailing zeros", () => {
    expect(describeCommissionRule({ type: "percentage", basisPoints: 1000 }, "USD", "purchase")).toBe(
      "10% of each purchase",
    );
    expect(describeCommissionRule({ type: "percentage", basisPoints: 1234 }, "USD", "purchase")).toBe(
      "12.34% of each purchase",
    );
    expect(describeCommissionRule({ type: "percentage", basisPoints: 1250 }, "USD", "purchase")).toBe(
      "12.5% of each purchase",
    );
  });

  it("lists every goal's rule, or says there is none", () => {
    expect(
      describeCommissionRules(
        { purchase: { type: "percentage", basisPoints: 800 }, sign_up: { type: "flat", amount: 200 } },
        "EUR",
      ),
    ).toBe("flat 2.00 EUR per sign-up; 8% of each purchase");
    expect(describeCommissionRules({}, "EUR")).toBe("no commission");
  });
});
