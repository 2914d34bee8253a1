import { describe, expect, it } from "vitest";
import {
  basisPointsText,
  CreatorFormSchema,
  campaignFormSchema,
  campaignFormValues,
  DiscountCodeFormSchema,
  dayRangeFrom,
  formValues,
  LinkFormSchema,
  moneyText,
  overrideFormSchema,
  parseForm,
  SignInFormSchema,
} from "./forms.ts";

const campaignForm = campaignFormSchema("USD");

const VALID = {
  name: " Spring ",
  goals: ["purchase", "sign_up"],
  attributionModel: "linear",
  lookbackDays: "14",
  halfLifeDays: "",
  "rule.purchase.type": "percentage",
  "rule.purchase.value": "12.5",
  "rule.sign_up.type": "flat",
  "rule.sign_up.value": "2.00",
  "rule.click.type": "flat",
  "rule.click.value": "0.10",
  "rule.custom.type": "none",
  "rule.custom.value": "",
  minOrderValue: "25",
  holdingDays: "30",
  budgetCap: "1,000.00",
  startsAt: "2026-03-01",
  endsAt: "2026-03-31",
};

describe("campaign form", () => {
  it("lets a campaign choose the order total as its commission base, and refuses other bases", () => {
    const chosen = parseForm(campaignForm, { ...VALID, commissionBase: "order_total" });
    expect(chosen.ok && chosen.data.commissionBase).toBe("order_total");
    const wrong = parseForm(campaignForm, { ...VALID, commissionBase: "profit" });
    expect(wrong.ok).toBe(false);
    expect(!wrong.ok && Object.keys(wrong.errors)).toContain("commissionBase");
  });

  it("turns form text into a campaign input: money in minor units, percentages in basis points, an exclusive end", () => {
    const result = parseForm(campaignForm, VALID);
    expect(result).toEqual({
      ok: true,
      data: {
        name: "Spring",
        goals: ["purchase", "sign_up"],
        attributionModel: "linear",
        lookbackDays: 14,
        halfLifeDays: 7,
        // The click rule is dropped: click is not a chosen goal.
        commissionRules: {
          purchase: { type: "percentage", basisPoints: 1250 },
          sign_up: { type: "flat", amount: 200 },
        },
        // Not on the form: the default base.
        commissionBase: "items",
        minOrderValue: 2500,
        holdingDays: 30,
        budgetCap: 100_000,
        startsAt: new Date("2026-03-01T00:00:00Z"),
        endsAt: new Date("2026-04-01T00:00:00Z"),
      },
    });
  });

  it("names each bad field", () => {
    const result = parseForm(campaignForm, {
      ...VALID,
      name: " ",
      goals: [],
      attributionModel: "most_clicks",
      lookbackDays: "120",
      "rule.purchase.value": "101",
      "rule.sign_up.value": "2.001",
      budgetCap: "lots",
      startsAt: "2026-02-30",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual([
      "attributionModel",
      "budgetCap",
      "goals",
      "lookbackDays",
      "name",
      "startsAt",
    ]);
    expect(result.errors.lookbackDays).toBe("The lookback window must be at most 90");
  });

  it("checks the commission of each chosen goal", () => {
    const result = parseForm(campaignForm, { ...VALID, "rule.purchase.value": "101", "rule.sign_up.value": "" });
    expect(result).toEqual({
      ok: false,
      errors: {
        "rule.purchase.value": "must be a percentage from 0 to 100, such as 10 or 12.5",
        "rule.sign_up.value": "enter the commission",
      },
    });
  });

  it("refuses an end before the start", () => {
    const result = parseForm(campaignForm, { ...VALID, startsAt: "2026-03-31", endsAt: "2026-03-01" });
    expect(result).toEqual({ ok: false, errors: { endsAt: "The end date must be on or after the start date" } });
  });

  it("takes money in the currency's own precision", () => {
    const yen = campaignFormSchema("JPY");
    expect(
      parseForm(yen, { ...VALID, "rule.sign_up.value": "200", budgetCap: "5000", minOrderValue: "" }),
    ).toMatchObject({
      ok: true,
      data: { budgetCap: 5000, minOrderValue: 0, commissionRules: { sign_up: { type: "flat", amount: 200 } } },
    });
    expect(parseForm(yen, { ...VALID, budgetCap: "50.5" })).toMatchObject({
      ok: false,
      errors: { budgetCap: "The budget cap must be a whole amount in JPY" },
    });
  });

  it("gives back the values an edit form starts from, which parse to the same campaign", () => {
    const parsed = parseForm(campaignForm, VALID);
    if (!parsed.ok) throw new Error("invalid");
    const values = campaignFormValues(parsed.data, "USD");
    expect(values).toMatchObject({
      budgetCap: "1000.00",
      minOrderValue: "25.00",
      endsAt: "2026-03-31",
      "rule.purchase.value": "12.5",
      "rule.click.type": "none",
    });
    expect(parseForm(campaignForm, values)).toEqual(parsed);
  });
});

describe("other forms", () => {
  it("reads repeated fields as lists", () => {
    const data = new FormData();
    data.append("goals", "purchase");
    data.append("goals", "sign_up");
    data.append("name", "x");
    expect(formValues(data)).toEqual({ goals: ["purchase", "sign_up"], name: "x" });
  });

  it("parses a creator with an optional email", () => {
    expect(parseForm(CreatorFormSchema, { name: "Ada", email: "" })).toEqual({ ok: true, data: { name: "Ada" } });
    expect(parseForm(CreatorFormSchema, { name: "", email: "ada@" })).toEqual({
      ok: false,
      errors: { name: "The name is required", email: "enter an email address such as ada@example.com" },
    });
  });

  it("parses a link and a discount code", () => {
    expect(parseForm(LinkFormSchema, { campaignId: "cp_1", destinationUrl: "javascript:alert(1)" })).toMatchObject({
      ok: false,
      errors: { destinationUrl: "enter an http or https address on your store" },
    });
    expect(
      parseForm(LinkFormSchema, { campaignId: "cp_1", destinationUrl: "https://shop.example.com/x", code: "" }),
    ).toEqual({
      ok: true,
      data: { campaignId: "cp_1", destinationUrl: "https://shop.example.com/x" },
    });
    expect(parseForm(DiscountCodeFormSchema, { campaignId: "cp_1", code: "ADA 10" })).toMatchObject({ ok: false });
  });

  it("parses a per-creator override, and none as its removal", () => {
    const schema = overrideFormSchema("USD");
    expect(
      parseForm(schema, { creatorId: "cr_1", goal: "purchase", "rule.type": "percentage", "rule.value": "15" }),
    ).toEqual({
      ok: true,
      data: { creatorId: "cr_1", goal: "purchase", rule: { type: "percentage", basisPoints: 1500 } },
    });
    expect(parseForm(schema, { creatorId: "cr_1", goal: "purchase", "rule.type": "none" })).toEqual({
      ok: true,
      data: { creatorId: "cr_1", goal: "purchase", rule: null },
    });
    expect(parseForm(schema, { creatorId: "cr_1", goal: "refund", "rule.type": "none" }).ok).toBe(false);
  });

  it("parses the sign-in form", () => {
    expect(parseForm(SignInFormSchema, { email: "a@b.co", password: "" })).toEqual({
      ok: false,
      errors: { password: "enter your password" },
    });
  });

  it("formats money and percentages back to text", () => {
    expect([moneyText(1999, "USD"), moneyText(5, "USD"), moneyText(500, "JPY"), moneyText(null, "USD")]).toEqual([
      "19.99",
      "0.05",
      "500",
      "",
    ]);
    expect([basisPointsText(1000), basisPointsText(1250), basisPointsText(1205), basisPointsText(5)]).toEqual([
      "10",
      "12.5",
      "12.05",
      "0.05",
    ]);
  });
});

describe("dayRangeFrom", () => {
  const now = new Date("2026-03-10T15:00:00Z");
  it("defaults to the last 30 days including today", () => {
    expect(dayRangeFrom(new URLSearchParams(), now)).toEqual({
      from: new Date("2026-02-09T00:00:00Z"),
      to: new Date("2026-03-11T00:00:00Z"),
      fromDay: "2026-02-09",
      toDay: "2026-03-10",
    });
  });
  it("takes inclusive days, swaps them when reversed and caps the length", () => {
    expect(dayRangeFrom(new URLSearchParams({ from: "2026-03-05", to: "2026-03-01" }), now)).toMatchObject({
      fromDay: "2026-03-01",
      toDay: "2026-03-05",
    });
    expect(dayRangeFrom(new URLSearchParams({ from: "2020-01-01", to: "2026-03-01" }), now).fromDay).toBe("2025-03-01");
    expect(dayRangeFrom(new URLSearchParams({ from: "junk" }), now).fromDay).toBe("2026-02-09");
  });
  it("refuses a day whose range would end past year 9999, naming the parameter", () => {
    expect(() => dayRangeFrom(new URLSearchParams({ from: "9999-12-30", to: "9999-12-31" }), now)).toThrow(
      expect.objectContaining({ code: "invalid", details: [{ path: "to", message: expect.any(String) }] }),
    );
    expect(dayRangeFrom(new URLSearchParams({ from: "9999-12-30", to: "9999-12-30" }), now).to.toISOString()).toBe(
      "9999-12-31T00:00:00.000Z",
    );
  });
});
