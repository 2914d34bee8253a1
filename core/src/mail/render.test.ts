// Pure: every kind renders in English and French, both parts carry the same words, values are escaped in the
// HTML, and only the optional kinds have an unsubscribe link; the unsubscribe token resists editing.
import { describe, expect, it } from "vitest";
import { translator } from "../portal/i18n.ts";
import { MAIL_KINDS, type MailKind, OPTIONAL_KINDS, preferenceKindOf } from "./mail-kinds.ts";
import { renderCreatorMail } from "./render.ts";
import { unsubscribeToken, verifyUnsubscribeToken } from "./unsubscribe-token.ts";

const pending = {
  commissionId: "cm_1",
  amount: 1_250,
  currency: "EUR",
  orderTotal: 12_500,
  orderCurrency: "EUR",
  holdUntil: "2026-12-31T10:00:00.000Z",
};
const DATA: Record<MailKind, unknown> = {
  commission_pending: pending,
  commission_approved: { commissionId: "cm_1", amount: 1_250, currency: "EUR" },
  commission_paid: { payoutId: "po_1", amount: 9_900, currency: "EUR", reference: "SEPA-77" },
  commission_reversed: { commissionId: "cm_1", amount: 0, previous: 1_250, currency: "EUR" },
  commission_digest: { day: "2026-12-01" },
  payout_method_missing: { amount: 4_000, currency: "EUR", minimum: 2_500 },
  application_approved: { links: [{ campaign: "Spring", url: "https://t.example/c/ab12", codePending: true }] },
  application_rejected: { reason: "Audience <outside> our markets" },
  welcome: {
    links: [
      { campaign: "Spring", url: "https://t.example/c/ab12", code: "ADA10" },
      { campaign: "Summer <sale>", url: "https://t.example/c/cd34", code: null },
    ],
  },
};

function render(kind: MailKind, locale: "en" | "fr", unsubscribeUrl: string | null = null) {
  return renderCreatorMail(
    kind,
    DATA[kind],
    {
      storeName: "Café <Nord> & Fils",
      creatorName: "Ada",
      portalUrl: "https://t.example/portal",
      unsubscribeUrl,
      reason: "The order was refunded in full on 3 Dec 2026 (125.00 EUR).",
      digest: [pending, { ...pending, commissionId: "cm_2", amount: 750, currency: "USD" }],
    },
    translator(locale),
  );
}

describe("rendering", () => {
  it("writes every kind in both languages, the text and the HTML saying the same", () => {
    for (const kind of MAIL_KINDS)
      for (const locale of ["en", "fr"] as const) {
        const mail = render(kind, locale);
        expect(mail.subject, `${kind} ${locale}`).not.toMatch(/\{\w+\}|mail\./);
        expect(mail.text).not.toMatch(/\{\w+\}/);
        expect(mail.text).toContain(locale === "en" ? "Hello Ada," : "Bonjour Ada,");
        expect(mail.html).toContain(`<html lang="${locale}">`);
        expect(mail.html).toContain("Café &lt;Nord&gt; &amp; Fils");
        expect(mail.html).not.toContain("<Nord>");
      }
  });

  it("says what each mail is about, with amounts in their currency", () => {
    expect(render("commission_pending", "en").text).toContain(
      "An order of 125.00 EUR earned you a commission of 12.50 EUR. It is pending until 31 Dec 2026",
    );
    expect(render("commission_pending", "fr").subject).toBe("Vous avez gagné 12,50 EUR avec Café <Nord> & Fils");
    expect(render("commission_paid", "en").text).toContain("Payout reference: SEPA-77");
    const reversed = render("commission_reversed", "en");
    expect(reversed.subject).toBe("A commission from Café <Nord> & Fils was reversed");
    expect(reversed.text).toContain("The order was refunded in full on 3 Dec 2026 (125.00 EUR).");
    // The digest totals each currency on its own.
    expect(render("commission_digest", "en").text).toContain(
      "You earned 2 more commissions on 1 Dec 2026, 12.50 EUR + 7.50 USD in all:",
    );
    expect(render("application_rejected", "en").html).toContain("Audience &lt;outside&gt; our markets");
    const welcome = render("welcome", "en");
    expect(welcome.subject).toBe("Welcome to Café <Nord> & Fils's creator program");
    expect(welcome.text).toContain(
      "- Spring: https://t.example/c/ab12, discount code: ADA10\n- Summer <sale>: https://t.example/c/cd34\n",
    );
    expect(welcome.text).toContain("enter this email address at https://t.example/portal/sign-in");
    expect(welcome.html).toContain("<li>Summer &lt;sale&gt;: https://t.example/c/cd34</li>");
    expect(welcome.html).toContain('<a href="https://t.example/portal/sign-in">');
    expect(render("welcome", "fr").text).toContain("- Spring : https://t.example/c/ab12, code de réduction : ADA10");
    expect(render("application_approved", "en").text).toContain(
      "- Spring: https://t.example/c/ab12 (your discount code is being created in the shop: it appears in your portal once it works)",
    );
    expect(render("application_rejected", "fr").text).toContain(
      "La raison de la boutique : Audience <outside> our markets",
    );
  });

  it("links the unsubscribe page in both parts when there is one", () => {
    const url = "https://t.example/portal/unsubscribe?token=a.b.commission_pending.sig";
    const mail = render("commission_pending", "en", url);
    expect(mail.text).toContain(`To stop emails like this one from Café <Nord> & Fils: ${url}`);
    expect(mail.html).toContain(`<a href="${url}">Stop these emails</a>`);
    expect(render("commission_paid", "en").html).not.toContain("unsubscribe");
  });

  it("lets creators turn off commission mails only, the digest with the earned mails", () => {
    expect(MAIL_KINDS.filter((k) => preferenceKindOf(k) !== null)).toEqual([
      "commission_pending",
      "commission_approved",
      "commission_reversed",
      "commission_digest",
    ]);
    expect(preferenceKindOf("commission_digest")).toBe("commission_pending");
    expect(preferenceKindOf("commission_paid")).toBeNull();
    expect(preferenceKindOf("payout_method_missing")).toBeNull();
  });
});

describe("the unsubscribe token", () => {
  it("verifies under its store's key only, and not once edited", () => {
    const claim = { storeId: "st_1", creatorId: "cr_1", kind: OPTIONAL_KINDS[1] };
    const token = unsubscribeToken("key-one", claim);
    expect(verifyUnsubscribeToken("key-one", token)).toEqual(claim);
    expect(verifyUnsubscribeToken("key-two", token)).toBeNull();
    expect(verifyUnsubscribeToken("key-one", token.replace("cr_1", "cr_2"))).toBeNull();
    expect(verifyUnsubscribeToken("key-one", token.replace("commission_approved", "commission_pending"))).toBeNull();
    expect(verifyUnsubscribeToken("key-one", `${token}x`)).toBeNull();
    expect(verifyUnsubscribeToken("key-one", "")).toBeNull();
  });
});
