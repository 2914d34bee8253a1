import { describe, expect, it } from "vitest";
import { csvField } from "../shared/csv.ts";
import { methodDetails, payoutsToCsv } from "./manual-provider.ts";

describe("payout CSV", () => {
  it("quotes what needs quoting and defuses spreadsheet formulas", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('Ada, "the" creator')).toBe('"Ada, ""the"" creator"');
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("+1")).toBe("'+1");
  });

  it("describes each method's destination", () => {
    expect(methodDetails("stripe", { stripeAccountId: "acct_1" })).toBe("Stripe account acct_1");
    expect(methodDetails("paypal", { paypalEmail: "a@example.com" })).toBe("PayPal a@example.com");
    expect(methodDetails("manual", { details: { iban: "DE89", bic: "COBADEFF" } })).toBe("iban: DE89; bic: COBADEFF");
    expect(methodDetails("stripe", {})).toBe("");
  });

  it("writes one CRLF line per payout with the amount in the currency's major units", () => {
    const csv = payoutsToCsv([
      {
        payoutId: "po_1",
        runId: "pr_1",
        creatorId: "cr_1",
        creatorName: "Ada",
        creatorEmail: null,
        amount: 123_456,
        currency: "JPY",
        method: "manual",
        destination: { details: { note: "cash" } },
        status: "approved",
        reference: null,
      },
    ]);
    expect(csv).toBe(
      "payout_id,run_id,creator_id,creator_name,creator_email,amount,currency,method,method_details,status,reference\r\n" +
        "po_1,pr_1,cr_1,Ada,,123456,JPY,manual,note: cash,approved,\r\n",
    );
  });
});
