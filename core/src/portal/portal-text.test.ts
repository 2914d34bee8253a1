import { describe, expect, it } from "vitest";
import { barChart } from "./chart.ts";
import { displayStatus, type ExplainInput, explainCommission } from "./explain-commission.ts";
import { CATALOGS, localeFromAcceptLanguage, translator } from "./i18n.ts";
import { earningsCsv, maskReference, type PortalConversionRow } from "./portal-conversions.ts";

// The portal's pure parts: the reason sentences, the catalogs, masking, the CSV and the chart.

const en = translator("en");
const fr = translator("fr");

function input(commission: Partial<ExplainInput["commission"]>, order: ExplainInput["order"] = null): ExplainInput {
  return {
    commission: {
      status: "pending",
      rule: null,
      reason: null,
      amount: 450,
      original: 450,
      currency: "USD",
      reversedAt: null,
      updatedAt: new Date("2026-12-05T10:00:00Z"),
      ...commission,
    },
    order,
    campaign: { lookbackDays: 30, minOrderValue: 5000, currency: "USD" },
  };
}

const order = (refunded: number, status = "confirmed") => ({
  status,
  total: 4500,
  refunded,
  currency: "USD",
  changedAt: new Date("2026-12-03T09:00:00Z"),
});

describe("why a commission is worth less", () => {
  it("says nothing when nothing was taken off", () => {
    expect(explainCommission(input({}, order(0)), en)).toBeNull();
  });

  it("puts a partial refund in a sentence, with the date and the amounts", () => {
    const why = explainCommission(input({ amount: 250, status: "approved" }, order(2000)), en)!;
    expect(why.rule).toBe("refund");
    expect(en.t(why.key, why.params)).toBe(
      "The order was refunded on 3 Dec 2026: 20.00 USD of 45.00 USD returned, so your commission went from 4.50 USD to 2.50 USD.",
    );
    const fr_ = explainCommission(input({ amount: 250, status: "approved" }, order(2000)), fr)!;
    expect(fr.t(fr_.key, fr_.params)).toBe(
      "La commande a été remboursée le 3 déc. 2026 : 20,00 USD sur 45,00 USD rendus, votre commission est passée de 4,50 USD à 2,50 USD.",
    );
  });

  it("tells a full refund from a cancellation", () => {
    const reversedAt = new Date("2026-12-04T00:00:00Z");
    const full = explainCommission(input({ status: "reversed", amount: 0, reversedAt }, order(4500)), en)!;
    expect(en.t(full.key, full.params)).toBe(
      "The order was refunded on 4 Dec 2026: 45.00 USD of 45.00 USD returned, so your commission of 4.50 USD was reversed.",
    );
    const cancelled = explainCommission(
      input({ status: "reversed", amount: 0, reversedAt }, order(0, "reversed")),
      en,
    )!;
    expect(cancelled.rule).toBe("cancellation");
    expect(en.t(cancelled.key, cancelled.params)).toBe(
      "The order was cancelled on 4 Dec 2026, so your commission of 4.50 USD was reversed.",
    );
  });

  it("names the rule of a rejected or over-budget commission", () => {
    const minimum = explainCommission(input({ status: "rejected", rule: "below_minimum_order", amount: 0 }), en)!;
    expect(minimum.rule).toBe("below_minimum_order");
    expect(en.t(minimum.key, minimum.params)).toBe(
      "The order was below the campaign's minimum order value of 50.00 USD.",
    );
    const lookback = explainCommission(input({ status: "rejected", rule: "outside_lookback", amount: 0 }), en)!;
    expect(en.t(lookback.key, lookback.params)).toContain("the campaign counts 30 days back");
    const budget = explainCommission(input({ status: "over_budget", rule: "over_budget", amount: 0 }), en)!;
    expect(en.t(budget.key, budget.params)).toBe("The campaign's budget was used up when this conversion came in.");
    const currency = explainCommission(
      input({
        status: "over_budget",
        rule: "over_budget",
        reason: "order currency EUR differs from the budget currency USD",
      }),
      en,
    )!;
    expect(en.t(currency.key, currency.params)).toBe(
      "The order was in EUR, a different currency from the campaign's budget.",
    );
    const unknown = explainCommission(input({ status: "rejected", rule: "something_new" }), en)!;
    expect(en.t(unknown.key, unknown.params)).toBe("The store's rule something_new turned this commission down.");
  });

  it("calls a commission cut by a refund reduced", () => {
    expect(displayStatus({ status: "paid", amount: 100, original: 450 })).toBe("reduced");
    expect(displayStatus({ status: "paid", amount: 450, original: 450 })).toBe("paid");
    expect(displayStatus({ status: "rejected", amount: 0, original: 450 })).toBe("rejected");
  });
});

describe("the catalogs", () => {
  it("have every English message in French, with the same placeholders, none empty", () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const keys = Object.keys(CATALOGS.en) as (keyof typeof CATALOGS.en)[];
    expect(Object.keys(CATALOGS.fr).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      expect(CATALOGS.fr[key].trim(), key).not.toBe("");
      expect(placeholders(CATALOGS.fr[key]), key).toEqual(placeholders(CATALOGS.en[key]));
    }
  });

  it("picks French or English from Accept-Language by weight, English otherwise", () => {
    expect(localeFromAcceptLanguage(null)).toBe("en");
    expect(localeFromAcceptLanguage("fr-FR,fr;q=0.9,en;q=0.8")).toBe("fr");
    expect(localeFromAcceptLanguage("de-DE, en;q=0.5, fr;q=0.7")).toBe("fr");
    expect(localeFromAcceptLanguage("de, it")).toBe("en");
    expect(localeFromAcceptLanguage("fr;q=0, en")).toBe("en");
    expect(localeFromAcceptLanguage("*")).toBe("en");
  });

  it("writes money with its currency, in the locale's way", () => {
    expect(en.money(123456, "USD")).toBe("1234.56 USD");
    expect(fr.money(123456, "EUR")).toBe("1234,56 EUR");
    expect(en.money(500, "JPY")).toBe("500 JPY");
    expect(en.percent(500_000)).toBe("50%");
    expect(en.percent(333_333)).toBe("33.33%");
    expect(fr.percent(1_000_000)).toBe("100 %");
  });
});

describe("order references and the CSV", () => {
  it("masks an order reference, keeping its last two characters", () => {
    expect(maskReference("#1001")).toBe("•••01");
    expect(maskReference("1234567890")).toBe("••••90");
    expect(maskReference("7")).toBe("••7");
    expect(maskReference(null)).toBe("—");
  });

  it("neutralises cells a spreadsheet would run as a formula", () => {
    const row: PortalConversionRow = {
      commissionId: "cm_1",
      storeName: '=HYPERLINK("http://evil")',
      campaignName: 'Spring, "launch"',
      kind: "purchase",
      occurredAt: new Date("2026-12-01T00:00:00Z"),
      orderRef: "•••01",
      value: 4500,
      currency: "USD",
      sharePpm: 500_000,
      status: "approved",
      amount: 250,
      original: 450,
    };
    const [, line] = earningsCsv([row], (a) => (a / 100).toFixed(2)).split("\r\n");
    expect(line).toBe(
      `2026-12-01,"'=HYPERLINK(""http://evil"")","Spring, ""launch""",purchase,•••01,45.00,50.00,approved,2.50,4.50,USD`,
    );
  });
});

describe("the chart", () => {
  it("is an image with a title and a summary, a bar per day, each bar named", () => {
    const svg = String(
      barChart({
        id: "c1",
        label: "Clicks <b>",
        summary: "3 in total",
        bars: [
          { label: "1 Dec", value: 0, text: "0" },
          { label: "2 Dec", value: 3, text: "3" },
        ],
      }),
    );
    expect(svg).toContain('role="img" aria-labelledby="c1-title c1-desc"');
    expect(svg).toContain('<title id="c1-title">Clicks &lt;b&gt;</title><desc id="c1-desc">3 in total</desc>');
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain("<title>2 Dec: 3</title>");
    expect(svg).toContain('height="0.00"');
  });
});
