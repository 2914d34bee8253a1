import { describe, expect, it } from "vitest";
import { currencyExponent, displayMoney, formatMinorUnits, formatMoney, toMinorUnits } from "./money.ts";

// Intl separates a currency code from its figure with a no-break space.
const nbsp = (s: string) => s.replace(/\u00a0/g, " ");

describe("money's presentations", () => {
  it("knows each currency's minor-unit exponent: JPY 0, USD 2, KWD 3", () => {
    expect([
      currencyExponent("JPY"),
      currencyExponent("USD"),
      currencyExponent("KWD"),
      currencyExponent("CLF"),
    ]).toEqual([0, 2, 3, 4]);
    expect(currencyExponent("EUR")).toBe(2);
  });

  it("writes the plain decimal for CSV, JSON and APIs, and reads it back to the same minor units", () => {
    const cases = [
      [1999, "USD", "19.99"],
      [5, "USD", "0.05"],
      [-1250, "EUR", "-12.50"],
      [1250, "JPY", "1250"],
      [1234, "KWD", "1.234"],
      [7, "BHD", "0.007"],
      [0, "USD", "0.00"],
    ] as const;
    for (const [minor, currency, text] of cases) {
      expect(formatMinorUnits(minor, currency)).toBe(text);
      expect(toMinorUnits(text, currency)).toBe(minor);
    }
  });

  it("writes the figure and its code for text, with the locale's decimal separator only", () => {
    expect(formatMoney(1250, "USD")).toBe("12.50 USD");
    expect(formatMoney(1250, "JPY")).toBe("1250 JPY");
    expect(formatMoney(123456, "EUR", "fr-FR")).toBe("1234,56 EUR");
    expect(formatMoney(1234, "KWD", "fr-FR")).toBe("1,234 KWD");
  });

  it("displays the locale's currency format with the currency's own number of decimals", () => {
    expect(displayMoney(1250, "USD")).toBe("$12.50");
    expect(displayMoney(125000, "JPY")).toBe("¥125,000");
    expect(nbsp(displayMoney(1234, "KWD"))).toBe("KWD 1.234");
    expect(displayMoney(-500, "EUR")).toBe("-€5.00");
    expect(nbsp(displayMoney(1250, "EUR", "fr-FR"))).toMatch(/^12,50 €$/);
  });

  it("falls back to the plain presentation for a code Intl does not know", () => {
    expect(displayMoney(1250, "XX1")).toBe("12.50 XX1");
  });
});
