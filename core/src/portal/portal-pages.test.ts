import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCampaign } from "../campaigns/campaign-store.ts";
import { createDiscountCode } from "../links/link-store.ts";
import { updatePayoutSettings } from "../payouts/payout-settings.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { seedProgram } from "../testing/fixtures.ts";
import { translator } from "./i18n.ts";
import { createPortal, type Portal } from "./index.ts";
import { createMemoryMailer } from "./mailer.ts";
import { ADA_EMAIL, seedPortalScenario } from "./portal-scenario.ts";
import { call, form, insertCommission, signIn } from "./portal-test-kit.ts";

// What the portal's pages say about the scenario's orders, which went through the real order path: earnings
// per store and currency (reversed as what was lost), the next payout, conversions with their reasons in
// English and French, payouts with their lines, pagination and the CSV.

let database: TestDatabase;
let portal: Portal;
let scenario: Awaited<ReturnType<typeof seedPortalScenario>>;
let cookie: string;
let csrf: string;
const mailer = createMemoryMailer();

beforeAll(async () => {
  database = await createTestDatabase();
  portal = createPortal({ db: database.db, publicUrl: "https://go.example.com", mailer });
  scenario = await seedPortalScenario(database.db);
  ({ cookie, csrf } = await signIn(portal, mailer, ADA_EMAIL));
});

afterAll(async () => {
  await database?.destroy();
});

const get = async (path: string, headers: Record<string, string> = {}) => {
  const response = await call(portal, path, { headers: { cookie, ...headers } });
  expect(response.status, path).toBe(200);
  return response.text();
};

const sectionOf = (page: string, storeName: string) =>
  page.split('<section class="card store"').find((s) => s.includes(`>${storeName}</h2>`))!;

async function commissionOf(externalId: string) {
  const order = await database.db.order.findFirstOrThrow({ where: { storeId: scenario.alpine.id, externalId } });
  const conversion = await database.db.conversion.findFirstOrThrow({ where: { orderId: order.id } });
  return database.db.commission.findFirstOrThrow({
    where: { conversionId: conversion.id, creatorId: scenario.ada[0]!.id },
  });
}

const text = (page: string, id: string) =>
  new RegExp(`id="${id}">([\\s\\S]*?)</`).exec(page)?.[1]?.replace(/&#39;/g, "'").replace(/&amp;/g, "&");

describe("the portal's pages", () => {
  it("shows earnings per store and currency, reversed as what refunds and cancellations took", async () => {
    const page = await get("/portal");
    const alpine = sectionOf(page, "Alpine Goods");
    // #1004 pending 3.00; #1001 (2.50 after its refund) and #1005 (30.00) approved; #1003 cancelled (10.00)
    // and #1001's refund (2.00) lost; the test order #1002 is no earning at all.
    expect(alpine).toContain('data-status="pending">3.00 USD</td>');
    expect(alpine).toContain('data-status="approved">32.50 USD</td>');
    expect(alpine).toContain('data-status="paid">0.00 USD</td>');
    expect(alpine).toContain('data-status="reversed">12.00 USD</td>');
    const berlin = sectionOf(page, "Berlin Boutique");
    expect(berlin).toContain('data-status="pending">6.00 EUR</td>');
    expect(berlin).not.toContain("USD</td>");
  });

  it("tells the next payout: the store's schedule, what is ready, the minimum still to reach or the missing method", async () => {
    let alpine = sectionOf(await get("/portal"), "Alpine Goods");
    // The run took 32.50: nothing is ready, the whole 25.00 minimum is still to reach; no method chosen yet.
    expect(alpine).toContain("This store pays by hand, when it runs its payouts.");
    expect(alpine).toContain("Ready to be paid: 0.00 USD.");
    expect(alpine).toContain("25.00 USD more is needed to reach the store&#39;s minimum payout of 25.00 USD.");
    expect(alpine).toContain('href="/portal/settings">Add a payout method</a>');

    await updatePayoutSettings(database.db, scenario.alpine.id, { schedule: "monthly" });
    await call(
      portal,
      "/portal/settings",
      form({ csrf, creatorId: scenario.ada[0]!.id, method: "paypal", paypalEmail: "ada.pay@example.net" }, cookie),
    );
    alpine = sectionOf(await get("/portal"), "Alpine Goods");
    const now = new Date();
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    expect(alpine).toContain(`Next payout run: ${translator("en").date(next)}.`);
    expect(alpine).toContain("Paid by PayPal.");
    expect(alpine).not.toContain("Add a payout method");
  });

  it("lists every conversion credited to the creator, filterable by status", async () => {
    const all = await get("/portal/conversions");
    expect(all).toContain("6 conversions");
    expect(all.match(/<tr data-commission=/g)).toHaveLength(6);
    const reduced = await get("/portal/conversions?status=reduced");
    expect(reduced.match(/<tr data-commission=/g)).toHaveLength(1);
    expect(reduced).toContain("•••01");
    expect(reduced).toContain("Reduced");
    const rejected = await get("/portal/conversions?status=rejected");
    expect(rejected.match(/<tr data-commission=/g)).toHaveLength(1);
    expect(rejected).toContain("•••02");
    const approved = await get("/portal/conversions?status=approved");
    expect(approved.match(/<tr data-commission=/g)).toHaveLength(1); // #1005; #1001 is reduced
    expect(await get("/portal/conversions?status=nonsense")).toContain("6 conversions");
  });

  it("explains a rejected, a partly refunded and a cancelled commission with the named rule", async () => {
    const rejected = await get(`/portal/conversions/${(await commissionOf("9002")).id}`);
    expect(text(rejected, "reason")).toBe("The store marked this order as a test order.");
    expect(text(rejected, "rule")).toBe("Rule: test_order");

    const date = translator("en").date(scenario.refundedAt);
    const refunded = await get(`/portal/conversions/${(await commissionOf("9001")).id}`);
    expect(text(refunded, "reason")).toBe(
      `The order was refunded on ${date}: 20.00 USD of 45.00 USD returned, so your commission went from 4.50 USD to 2.50 USD.`,
    );
    expect(text(refunded, "rule")).toBe("Rule: refund");
    expect(refunded).toContain("your link " + scenario.links.adaLinkA.code);

    const cancelled = await get(`/portal/conversions/${(await commissionOf("9003")).id}`);
    expect(text(cancelled, "reason")).toMatch(
      /^The order was cancelled on .+, so your commission of 10\.00 USD was reversed\.$/,
    );

    const code = await get(`/portal/conversions/${(await commissionOf("9004")).id}`);
    expect(code).toContain("The customer used your code ADA10");
    expect(text(code, "reason")).toBe("Nothing was taken off this commission.");
  });

  it("speaks French from Accept-Language or the creator's choice", async () => {
    const id = (await commissionOf("9001")).id;
    const fr = await call(portal, `/portal/conversions/${id}`, {
      headers: { cookie, "accept-language": "de-CH, fr;q=0.8, en;q=0.5" },
    });
    expect(fr.headers.get("content-language")).toBe("fr");
    const page = await fr.text();
    expect(page).toContain('<html lang="fr">');
    expect(text(page, "reason")).toBe(
      `La commande a été remboursée le ${translator("fr").date(scenario.refundedAt)} : 20,00 USD sur 45,00 USD rendus, votre commission est passée de 4,50 USD à 2,50 USD.`,
    );
    const saved = await call(portal, "/portal/settings/language", form({ csrf, locale: "fr" }, cookie));
    expect(saved.status).toBe(303);
    const lang = saved.headers.getSetCookie()[0]!.split(";")[0]!;
    expect(lang).toBe("tm_portal_lang=fr");
    const overview = await get("/portal", { cookie: `${cookie}; ${lang}`, "accept-language": "en" });
    expect(overview).toContain("<h1>Vue d&#39;ensemble</h1>");
    expect(overview).toContain("Ajouter un moyen de paiement");
  });

  it("shows a payout's lines and links them to their conversions", async () => {
    const payouts = await get("/portal/payouts");
    const payout = await database.db.payout.findFirstOrThrow({ where: { creatorId: scenario.ada[0]!.id } });
    expect(payouts).toContain(`href="/portal/payouts/${payout.id}"`);
    expect(payouts).toContain("32.50 USD");
    const page = await get(`/portal/payouts/${payout.id}`);
    expect(page).toContain("<h1>Payout of 32.50 USD</h1>");
    const lines = /<table class="stack" id="payout-lines">([\s\S]*?)<\/table>/.exec(page)![1]!;
    expect(lines.match(/<tr>/g)).toHaveLength(3); // the head and two lines
    expect(lines).toContain("Commission for •••01 (Spring)");
    expect(lines).toContain("Commission for •••05 (Spring)");
    expect(lines).toContain("2.50 USD");
    expect(lines).toContain("30.00 USD");
  });

  it("downloads the creator's own earnings as CSV, safe to open in a spreadsheet", async () => {
    const response = await call(portal, "/portal/earnings.csv", { headers: { cookie } });
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="trailmark-earnings-/);
    const rows = (await response.text()).trim().split("\r\n");
    expect(rows[0]).toBe(
      "date,store,campaign,kind,order,order_value,share_percent,status,commission,before_refunds,currency",
    );
    expect(rows).toHaveLength(7);
    expect(rows.find((r) => r.includes("•••01"))).toMatch(
      /,Alpine Goods,Spring,purchase,•••01,45\.00,100\.00,approved,2\.50,4\.50,USD$/,
    );
    expect(rows.find((r) => r.includes("•••77"))).toMatch(
      /,Berlin Boutique,Herbst,purchase,•••77,120\.00,50\.00,pending,6\.00,6\.00,EUR$/,
    );
  });

  it("pages through a long list, 25 at a time", async () => {
    const { db } = database;
    const program = await seedProgram(db, { creators: [{ name: "Many", email: "many@example.com" }] });
    for (let i = 0; i < 30; i++) await insertCommission(db, program.links[0]!, "pending", 100 + i);
    const { cookie: many } = await signIn(portal, mailer, "many@example.com");
    const first = await (await call(portal, "/portal/conversions", { headers: { cookie: many } })).text();
    expect(first).toContain("30 conversions · Page 1 of 2");
    expect(first.match(/<tr data-commission=/g)).toHaveLength(25);
    expect(first).toContain('rel="next" href="/portal/conversions?page=2"');
    const second = await (await call(portal, "/portal/conversions?page=2", { headers: { cookie: many } })).text();
    expect(second.match(/<tr data-commission=/g)).toHaveLength(5);
    expect(second).toContain('rel="prev" href="/portal/conversions"');
    const beyond = await (await call(portal, "/portal/conversions?page=99", { headers: { cookie: many } })).text();
    expect(beyond).toContain("Page 2 of 2");
  });

  it("offers each store's optional emails, all on until turned off, and says payout emails always go", async () => {
    const page = await get("/portal/settings");
    expect(page).toContain('<h2 id="notifications">Notifications</h2>');
    expect(page).toContain("Payout emails (a payout sent, a payout method missing) are always sent.");
    const forms = page.match(/<form method="post" action="\/portal\/settings\/notifications"/g) ?? [];
    expect(forms.length).toBeGreaterThan(0);
    expect(page.match(/name="kind" value="commission_pending" checked/g)).toHaveLength(forms.length);
    expect(page).toContain("A commission reversed or reduced");
  });

  it("draws a QR code for every link and serves the Copy script", async () => {
    const page = await get("/portal/links");
    expect(
      page.match(/<svg role="img" aria-label="QR code for https:\/\/go\.example\.com\/c\/[^"]+" class="qr"/g),
    ).toHaveLength(2);
    expect(page).toContain(`data-copy="https://go.example.com/c/${scenario.links.adaLinkA.code}"`);
    expect(page).toContain('data-copy="ADA10"');
    const script = await call(portal, "/portal/assets/portal.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await script.text()).toContain("navigator.clipboard.writeText");
  });

  it("lists a discount code of a campaign the creator has no link in", async () => {
    const summer = await createCampaign(database.db, scenario.alpine.id, { name: "Summer codes" });
    await createDiscountCode(database.db, scenario.alpine.id, {
      campaignId: summer.id,
      creatorId: scenario.ada[0]!.id,
      code: "ADASUMMER",
    });
    const page = await get("/portal/links");
    const card = page.split('<section class="card link"').find((c) => c.includes("Summer codes"))!;
    expect(card).toContain('data-copy="ADASUMMER"');
    expect(card).not.toContain("<svg");
    expect(page.match(/class="qr"/g)).toHaveLength(2);
  });

  it("keeps the old payout method address working", async () => {
    const response = await call(portal, "/portal/payout-method?saved=1", { headers: { cookie } });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/portal/settings?saved=1");
  });
});
