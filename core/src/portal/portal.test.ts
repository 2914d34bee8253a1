import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCampaign } from "../campaigns/campaign-store.ts";
import { createCreator } from "../creators/creator.ts";
import { createLink } from "../links/link-store.ts";
import { getCreatorPayoutAccount } from "../payouts/payout-settings.ts";
import { createStore } from "../stores/store.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { DAY, insertClick, seedProgram } from "../testing/fixtures.ts";
import { escapeHtml, html } from "./html.ts";
import { createPortal, type Portal } from "./index.ts";
import { createMemoryMailer } from "./mailer.ts";
import {
  BASE,
  CTX,
  call,
  csrfOf,
  form,
  insertCommission,
  insertPayout,
  openLink,
  requestLink,
  setCookieValue,
  signIn,
} from "./portal-test-kit.ts";

let database: TestDatabase;
let clock = new Date("2026-03-01T12:00:00Z");
const mailer = createMemoryMailer();
let portal: Portal;
let program: Awaited<ReturnType<typeof seedProgram>>;
let euStore: { id: string };
let adaEu: { id: string };

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  portal = createPortal({ db, publicUrl: "https://go.example.com/", mailer, now: () => clock });
  program = await seedProgram(db, {
    creators: [
      { name: "Ada", email: "ada@example.com" },
      { name: "Ben", email: "ben@example.com" },
    ],
  });
  const [ada, ben] = program.creators;
  const [adaLink, benLink] = program.links;
  await insertClick(db, adaLink!, new Date());
  await insertClick(db, adaLink!, new Date());
  await insertClick(db, adaLink!, new Date(), "bot");
  await insertClick(db, benLink!, new Date());
  await insertCommission(db, adaLink!, "pending", 1200);
  await insertCommission(db, adaLink!, "approved", 300);
  await insertCommission(db, adaLink!, "reversed", 450);
  await insertCommission(db, adaLink!, "rejected", 9900);
  await insertCommission(db, benLink!, "paid", 7777);
  await insertPayout(db, { storeId: program.store.id, creatorId: ada!.id }, 4321, "USD", "ADA-REF-1");
  await insertPayout(db, { storeId: program.store.id, creatorId: ben!.id }, 8765, "USD", "BEN-REF-1");

  // The same creator at a second store, in euros, with the address written differently.
  const { store } = await createStore(db, { platform: "custom", domain: "eu-shop.example.com", currency: "EUR" });
  euStore = store;
  const campaign = await createCampaign(db, store.id, { name: "Herbst <script>alert(1)</script>" });
  adaEu = await createCreator(db, store.id, { name: "Ada EU", email: "ADA@Example.COM" });
  const link = await createLink(db, store.id, {
    campaignId: campaign.id,
    creatorId: adaEu.id,
    destinationUrl: "https://eu-shop.example.com/p",
  });
  await insertClick(db, link, new Date());
  await insertCommission(db, link, "pending", 500, "EUR");
});

afterAll(async () => {
  await database?.destroy();
});

describe("the creator portal", () => {
  it("owns /portal and /portal/* only", async () => {
    expect(portal.route(new Request(`${BASE}/c/abc`), CTX)).toBeNull();
    expect(portal.route(new Request(`${BASE}/portals`), CTX)).toBeNull();
    const response = await call(portal, "/portal");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/portal/sign-in");
  });

  it("signs a creator in with a one-time link and shows their links and earnings", async () => {
    const before = mailer.sent.length;
    const answer = await requestLink(portal, "Ada@Example.com");
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain("Check your email");
    const mail = mailer.sent[before]!;
    expect(mail.to).toBe("Ada@Example.com");
    expect(mail.url).toMatch(/^https:\/\/go\.example\.com\/portal\/auth\?token=[\w-]{43}$/);
    expect(mail.expiresAt.getTime() - clock.getTime()).toBe(15 * 60 * 1000);

    const opened = await openLink(portal, mail.url);
    // Opening the link only shows a button; pressing it signs in.
    expect(opened.page.status).toBe(200);
    expect(opened.pageText).toContain('<form method="post" action="/portal/auth">');
    expect(setCookieValue(opened.page, "tm_portal")).toBeUndefined();
    const auth = opened.answer!;
    expect(auth.status).toBe(303);
    expect(auth.headers.get("location")).toBe("/portal");
    const setCookie = auth.headers.getSetCookie().find((c) => c.startsWith("tm_portal="))!;
    expect(setCookie).toMatch(/; Path=\/portal; HttpOnly; SameSite=Lax; Max-Age=2592000$/);
    // Only hashes are stored.
    const token = setCookieValue(auth, "tm_portal")!;
    const sessions = await database.db.creatorSession.findMany();
    expect(sessions.some((s) => s.tokenHash === token || s.id === token)).toBe(false);

    const overview = await call(portal, "/portal", { headers: { cookie: `tm_portal=${token}` } });
    expect(overview.status).toBe(200);
    expect(overview.headers.get("cache-control")).toBe("no-store");
    const page = await overview.text();
    expect(page).toContain('<td data-label="Pending" class="num" data-status="pending">12.00 USD</td>');
    expect(page).toContain('data-status="approved">3.00 USD</td>');
    expect(page).toContain('data-status="reversed">4.50 USD</td>'); // reversed: what was taken back
    expect(page).not.toContain("99.00 USD"); // rejected commissions are not earnings
    const links = await (await call(portal, "/portal/links", { headers: { cookie: `tm_portal=${token}` } })).text();
    expect(links).toContain(`https://go.example.com/c/${program.links[0]!.code}`);
  });

  it("marks the session cookie Secure over https", async () => {
    const before = mailer.sent.length;
    await requestLink(portal, "ada@example.com");
    const { page, answer } = await openLink(portal, mailer.sent[before]!.url, "https://portal.test");
    expect(page.headers.getSetCookie().find((c) => c.startsWith("tm_portal_csrf="))).toMatch(/; Secure$/);
    expect(answer!.headers.getSetCookie().find((c) => c.startsWith("tm_portal="))).toMatch(/; Secure$/);
  });

  it("answers an unknown address exactly like a known one, and sends nothing", async () => {
    const before = mailer.sent.length;
    const unknown = await requestLink(portal, "nobody@example.com");
    expect(mailer.sent.length).toBe(before);
    const known = await requestLink(portal, "ben@example.com");
    expect(mailer.sent.length).toBe(before + 1);
    expect(unknown.status).toBe(known.status);
    const strip = (text: string, email: string) => text.replaceAll(email, "EMAIL");
    expect(strip(await unknown.text(), "nobody@example.com")).toBe(strip(await known.text(), "ben@example.com"));
    expect(await database.db.creatorSignInToken.count({ where: {} })).toBeGreaterThan(0);
  });

  it("asks again for an address that is not one", async () => {
    const response = await requestLink(portal, "not an email");
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Enter an email address.");
  });

  it("uses a sign-in link once", async () => {
    const before = mailer.sent.length;
    await requestLink(portal, "ada@example.com");
    const link = mailer.sent[before]!.url;
    const first = await openLink(portal, link);
    expect(first.answer!.status).toBe(303);
    const token = new URL(link).searchParams.get("token")!;
    const csrf = csrfOf(first.pageText);
    // Pressing the button again, or opening the link again, does nothing.
    const replay = await call(portal, "/portal/auth", form({ csrf, token }, `tm_portal_csrf=${csrf}`));
    expect(replay.status).toBe(400);
    expect(replay.headers.getSetCookie()).toEqual([]);
    expect(await replay.text()).toContain("already used or has expired");
    const second = await openLink(portal, link);
    expect(second.page.status).toBe(400);
    expect(second.answer).toBeNull();
    expect(second.pageText).toContain("already used or has expired");
    expect((await call(portal, "/portal/auth?token=made-up")).status).toBe(400);
    expect((await call(portal, "/portal/auth")).status).toBe(400);
  });

  it("refuses a sign-in link after 15 minutes", async () => {
    const before = mailer.sent.length;
    await requestLink(portal, "ada@example.com");
    const link = mailer.sent[before]!.url;
    const start = clock;
    try {
      clock = new Date(start.getTime() + 15 * 60 * 1000 + 1);
      const { page, answer } = await openLink(portal, link);
      expect(page.status).toBe(400);
      expect(answer).toBeNull();
    } finally {
      clock = start;
    }
  });

  it("ends a session after 30 days and on sign-out", async () => {
    const { cookie, csrf } = await signIn(portal, mailer, "ada@example.com");
    const start = clock;
    try {
      clock = new Date(start.getTime() + 30 * DAY + 1);
      expect((await call(portal, "/portal", { headers: { cookie } })).status).toBe(303);
    } finally {
      clock = start;
    }
    expect((await call(portal, "/portal", { headers: { cookie } })).status).toBe(200);
    const out = await call(portal, "/portal/sign-out", form({ csrf }, cookie));
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie()[0]).toMatch(/^tm_portal=; .*Max-Age=0/);
    expect((await call(portal, "/portal", { headers: { cookie } })).status).toBe(303);
  });

  it("refuses a POST without the session's CSRF token with 403", async () => {
    const ada = program.creators[0]!;
    const { cookie, csrf } = await signIn(portal, mailer, "ada@example.com");
    const other = await signIn(portal, mailer, "ada@example.com");
    expect(other.csrf).not.toBe(csrf);
    const fields = { creatorId: ada.id, method: "paypal", paypalEmail: "evil@example.com" };
    expect((await call(portal, "/portal/settings", form(fields, cookie))).status).toBe(403);
    expect((await call(portal, "/portal/settings", form({ ...fields, csrf: "x" }, cookie))).status).toBe(403);
    // Another session's token is not this session's.
    expect((await call(portal, "/portal/settings", form({ ...fields, csrf: other.csrf }, cookie))).status).toBe(403);
    expect((await call(portal, "/portal/sign-out", form({}, cookie))).status).toBe(403);
    expect(await getCreatorPayoutAccount(database.db, program.store.id, ada.id)).toBeNull();
    // Sign-in without the form's cookie.
    const noCookie = await call(portal, "/portal/sign-in", form({ csrf: "abc", email: "ada@example.com" }, ""));
    expect(noCookie.status).toBe(403);
  });

  it("never shows or changes another creator's data", async () => {
    const [, ben] = program.creators;
    const { cookie, csrf } = await signIn(portal, mailer, "ada@example.com");
    const overview = await (await call(portal, "/portal", { headers: { cookie } })).text();
    expect(overview).not.toContain(program.links[1]!.code);
    expect(overview).not.toContain("77.77");
    const payouts = await (await call(portal, "/portal/payouts", { headers: { cookie } })).text();
    expect(payouts).toContain("ADA-REF-1");
    expect(payouts).toContain("43.21 USD");
    expect(payouts).not.toContain("BEN-REF-1");
    const links = await (await call(portal, "/portal/links", { headers: { cookie } })).text();
    expect(links).toContain(program.links[0]!.code);
    expect(links).not.toContain(program.links[1]!.code);
    const conversions = await (await call(portal, "/portal/conversions", { headers: { cookie } })).text();
    expect(conversions).toContain("12.00 USD");
    expect(conversions).not.toContain("77.77");
    const benCommission = await database.db.commission.findFirst({ where: { creatorId: ben!.id } });
    const detail = await call(portal, `/portal/conversions/${benCommission!.id}`, { headers: { cookie } });
    expect(detail.status).toBe(404);
    const benPayout = await database.db.payout.findFirst({ where: { creatorId: ben!.id } });
    expect((await call(portal, `/portal/payouts/${benPayout!.id}`, { headers: { cookie } })).status).toBe(404);
    const csv = await (await call(portal, "/portal/earnings.csv", { headers: { cookie } })).text();
    expect(csv).toContain("12.00");
    expect(csv).not.toContain("77.77");
    const methods = await (await call(portal, "/portal/settings", { headers: { cookie } })).text();
    expect(methods).not.toContain(ben!.id);
    const attempt = await call(
      portal,
      "/portal/settings",
      form({ csrf, creatorId: ben!.id, method: "paypal", paypalEmail: "evil@example.com" }, cookie),
    );
    expect(attempt.status).toBe(404);
    expect(await getCreatorPayoutAccount(database.db, program.store.id, ben!.id)).toBeNull();
  });

  it("says which rate tier a commission was computed at", async () => {
    const { cookie } = await signIn(portal, mailer, "ada@example.com");
    const [ada] = program.creators;
    const commission = await database.db.commission.findFirstOrThrow({
      where: { creatorId: ada!.id, status: "approved" },
    });
    const before = await (await call(portal, `/portal/conversions/${commission.id}`, { headers: { cookie } })).text();
    expect(before).not.toContain('id="tier"');
    await database.db.commission.update({ where: { id: commission.id }, data: { tier: 2 } });
    const page = await (await call(portal, `/portal/conversions/${commission.id}`, { headers: { cookie } })).text();
    expect(page).toContain('<span id="tier">Tier 2: your sales this period earned you a higher rate</span>');
    await database.db.commission.update({ where: { id: commission.id }, data: { tier: 0 } });
  });

  it("adds up a creator across every store with their email, one currency at a time", async () => {
    const { cookie } = await signIn(portal, mailer, "ada@example.com");
    const page = await (await call(portal, "/portal", { headers: { cookie } })).text();
    expect(page).toContain("2 stores");
    expect(page).toContain(program.store.domain);
    expect(page).toContain("eu-shop.example.com");
    const sections = page.split('<section class="card store"').slice(1);
    expect(sections).toHaveLength(2);
    expect(sections[0]).toContain(program.store.domain);
    expect(sections[0]).toMatch(/data-status="pending">12\.00 USD<\/td>/);
    expect(sections[0]).not.toContain("EUR</td>");
    expect(sections[1]).toContain("eu-shop.example.com");
    expect(sections[1]).toMatch(/data-status="pending">5\.00 EUR<\/td>/);
    expect(sections[1]).not.toContain("USD</td>");
    expect(page).not.toContain("17.00");
  });

  it("escapes every name it shows", async () => {
    const { cookie } = await signIn(portal, mailer, "ada@example.com");
    const page = await (await call(portal, "/portal/links", { headers: { cookie } })).text();
    expect(page).toContain("Herbst &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).not.toContain("<script>");
    expect(String(html`<a title="${`"><img onerror=x>`}">${"&"}</a>`)).toBe(
      '<a title="&quot;&gt;&lt;img onerror=x&gt;">&amp;</a>',
    );
    expect(escapeHtml("'")).toBe("&#39;");
  });

  it("sets a PayPal email for one store", async () => {
    const { cookie, csrf } = await signIn(portal, mailer, "ada@example.com");
    const saved = await call(
      portal,
      "/portal/settings",
      form({ csrf, creatorId: adaEu.id, method: "paypal", paypalEmail: "ada.pay@example.com" }, cookie),
    );
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe("/portal/settings?saved=1");
    const account = await getCreatorPayoutAccount(database.db, euStore.id, adaEu.id);
    expect(account).toMatchObject({ method: "paypal", paypalEmail: "ada.pay@example.com" });
    const page = await (await call(portal, "/portal/settings?saved=1", { headers: { cookie } })).text();
    expect(page).toContain("Saved.");
    expect(page).toContain("ada.pay@example.com");
    expect(csrfOf(page)).toBe(csrf);

    const bad = await call(
      portal,
      "/portal/settings",
      form({ csrf, creatorId: adaEu.id, method: "paypal", paypalEmail: "nope" }, cookie),
    );
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Enter a PayPal email address.");
  });

  it("starts Stripe onboarding when Stripe is configured", async () => {
    const calls: string[] = [];
    const withStripe = createPortal({
      db: database.db,
      publicUrl: "https://go.example.com",
      mailer,
      now: () => clock,
      stripe: {
        async createConnectedAccount() {
          calls.push("account");
          return "acct_test123";
        },
        async createOnboardingLink(accountId, urls) {
          calls.push(`link ${accountId} ${urls.returnUrl}`);
          return { url: "https://connect.stripe.com/setup/s/abc", expiresAt: new Date() };
        },
      },
    });
    const ada = program.creators[0]!;
    const { cookie, csrf } = await signIn(withStripe, mailer, "ada@example.com");
    const page = await (await call(withStripe, "/portal/settings", { headers: { cookie } })).text();
    expect(page).toContain("Get paid with Stripe");
    const response = await call(
      withStripe,
      "/portal/settings",
      form({ csrf, creatorId: ada.id, method: "stripe" }, cookie),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("https://connect.stripe.com/setup/s/abc");
    expect(calls).toEqual(["account", "link acct_test123 https://go.example.com/portal/settings"]);
    expect(await getCreatorPayoutAccount(database.db, program.store.id, ada.id)).toMatchObject({
      method: "stripe",
      stripeAccountId: "acct_test123",
    });
    // Without Stripe there is no button and the POST is refused.
    const plain = await (await call(portal, "/portal/settings", { headers: { cookie } })).text();
    expect(plain).not.toContain("Get paid with Stripe");
    expect(
      (await call(portal, "/portal/settings", form({ csrf, creatorId: ada.id, method: "stripe" }, cookie))).status,
    ).toBe(400);
  });
});
