import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { type AdminProgram, seedAdminProgram } from "@trailmark/core/admin";
import { approveDueCommissions } from "@trailmark/core/conversions";
import type { Db } from "@trailmark/core/db";
import { fakeStripe } from "@trailmark/core/payouts";
import type { RunningServer } from "@trailmark/core/server";
import { serveFetch } from "@trailmark/core/server";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { createShopifyAdminFake, shopifyAdminHandlers } from "@trailmark/shopify/testing";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The Payouts page of the embedded admin (/app) over real HTTP, as the Shopify admin's iframe reaches it:
// the document with the session token as id_token, App Bridge's data loads, form posts and the CSV download
// with it as a Bearer header. A merchant previews Pay now, confirms, downloads the CSV and marks the payouts
// paid, with no CLI; a second shop sees none of it.

const SECRET = "test-api-secret-payouts";
const API_KEY = "test-api-key-payouts";
const APP_URL = "https://trailmark.test";
const BROWSER =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

const fake = createShopifyAdminFake();
const stripe = fakeStripe({ balance: { USD: 50_000 } });
const msw = setupServer(...shopifyAdminHandlers(fake), ...stripe.handlers);
let database: TestDatabase;
let db: Db;
let server: RunningServer;
let a: AdminProgram;
let b: AdminProgram;

async function shopifyProgram(shop: string): Promise<AdminProgram> {
  const program = await seedAdminProgram(db);
  const domain = `${shop}.myshopify.com`;
  await db.store.update({
    where: { id: program.store.id },
    data: { platform: "shopify", domain, name: shop, minimumPayout: 100 },
  });
  await db.session.create({
    data: {
      id: `offline_${domain}`,
      shop: domain,
      state: "",
      isOnline: false,
      scope: "read_orders,write_pixels,read_customer_events,write_discounts",
      accessToken: `shpat_${shop}`,
      expires: new Date(Date.now() + 86_400_000),
    },
  });
  await approveDueCommissions(db, new Date(), program.store.id);
  return program;
}

beforeAll(async () => {
  Object.assign(process.env, { SHOPIFY_API_KEY: API_KEY, SHOPIFY_API_SECRET: SECRET, SHOPIFY_APP_URL: APP_URL });
  msw.listen({
    onUnhandledRequest(request, print) {
      if (new URL(request.url).hostname !== "127.0.0.1") print.error();
    },
  });
  database = await createTestDatabase();
  db = database.db;
  a = await shopifyProgram("pay-a");
  b = await shopifyProgram("pay-b");
  const { createShopifyAppHandler } = await import("./handler.ts");
  const handler = await createShopifyAppHandler({ database });
  server = await serveFetch((request) => handler(request), { port: 0, host: "127.0.0.1" });
}, 300_000);

afterAll(async () => {
  await server?.close();
  msw.close();
  await database?.destroy();
});

/** A document request from the Shopify admin's iframe (session token as id_token). */
async function open(shop: string, path: string) {
  const request = await setUpValidRequest(
    { type: RequestType.Admin, store: shop, apiKey: API_KEY, apiSecretKey: SECRET },
    new Request(`${server.url}${path}`),
  );
  const response = await fetch(request.url, { headers: { "user-agent": BROWSER }, redirect: "manual" });
  return { status: response.status, html: await response.text() };
}

/** A fetch as App Bridge makes it: the session token in the Authorization header. */
async function bearer(shop: string, path: string, init: RequestInit = {}) {
  const request = await setUpValidRequest(
    { type: RequestType.Bearer, store: shop, apiKey: API_KEY, apiSecretKey: SECRET },
    new Request(`${server.url}${path}`, { ...init, headers: { ...init.headers, "user-agent": BROWSER } }),
  );
  return fetch(request, { redirect: "manual" });
}

async function post(shop: string, fields: [string, string][]) {
  const response = await bearer(shop, "/app/payouts?index", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
  return { status: response.status, html: await response.text() };
}

/** The plan the page previews, as the confirm button posts it back. */
async function fingerprintOf(shop: string): Promise<string> {
  const { status, html } = await open(shop, "/app/payouts");
  expect(status).toBe(200);
  return /data-fingerprint="([^"]*)"/.exec(html)?.[1] ?? "";
}

describe("the embedded Payouts page", () => {
  it("previews and runs a manual payout, serves its CSV and marks it paid, for the shop's own store only", async () => {
    const storeId = a.store.id;
    const page = await open("pay-a", "/app/payouts");
    expect(page.status, page.html.slice(0, 300)).toBe(200);
    for (const text of ["Payouts", "Totals per currency", "Pay now", "Balances by creator", "Payout settings"]) {
      expect(page.html).toContain(text);
    }
    expect(page.html).toContain("<title>Payouts · Trailmark</title>");
    expect(page.html).not.toContain(b.store.id);

    const fingerprint = await fingerprintOf("pay-a");
    const approved = await db.commission.groupBy({
      by: ["creatorId"],
      where: { storeId, status: "approved" },
      _sum: { amount: true },
    });
    // The preview lists each creator's approved total, as the fingerprint the confirm posts back.
    expect(
      fingerprint
        .split(",")
        .map((p) => Number(p.split(":")[2]))
        .sort(),
    ).toEqual(approved.map((g) => Number(g._sum.amount)).sort());
    for (const g of approved) expect(page.html).toContain(`$${(Number(g._sum.amount) / 100).toFixed(2)}`);
    expect(await db.payoutRun.count({ where: { storeId } })).toBe(0);

    // A stale preview is refused: nothing is paid that the merchant did not see.
    const stale = await post("pay-a", [
      ["intent", "payNow"],
      ["fingerprint", "nobody:USD:1"],
    ]);
    expect(stale.status).toBe(409);
    expect(stale.html).toContain("Balances changed since the preview");
    expect(await db.payoutRun.count({ where: { storeId } })).toBe(0);

    const ran = await post("pay-a", [
      ["intent", "payNow"],
      ["fingerprint", fingerprint],
    ]);
    expect(ran.status).toBe(200);
    expect(ran.html).toMatch(/Run pr_\w+ started/);
    const runId = /Run (pr_\w+) started/.exec(ran.html)?.[1] ?? "";
    const run = {
      id: runId,
      payouts: await db.payout.findMany({ where: { storeId, runId }, select: { id: true, status: true } }),
    };
    expect(run.payouts.length).toBe(approved.length);
    expect(run.payouts.map((p) => p.status)).toEqual(run.payouts.map(() => "processing"));

    const csvResponse = await bearer("pay-a", `/app/payouts/${run.id}/csv`);
    expect(csvResponse.status).toBe(200);
    expect(csvResponse.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const csv = (await csvResponse.text()).trimEnd().split("\r\n");
    expect(csv).toHaveLength(run.payouts.length + 1);
    for (const p of run.payouts) expect(csv.some((l) => l.startsWith(`${p.id},${run.id},`))).toBe(true);
    // Another shop cannot read this run.
    expect((await bearer("pay-b", `/app/payouts/${run.id}/csv`)).status).toBe(404);
    expect(
      (await post("pay-b", [["intent", "markPaid"], ...run.payouts.map((p) => ["payoutId", p.id] as [string, string])]))
        .status,
    ).toBe(409);

    const paid = await post("pay-a", [
      ["intent", "markPaid"],
      ["reference", "WIRE-7"],
      ...run.payouts.map((p) => ["payoutId", p.id] as [string, string]),
    ]);
    expect(paid.status).toBe(200);
    expect(paid.html).toContain(`${run.payouts.length} payout(s) marked paid.`);
    const after = await db.payout.findMany({ where: { storeId, runId: run.id } });
    expect(after.map((p) => [p.status, p.providerReference])).toEqual(after.map(() => ["paid", "WIRE-7"]));
    expect(await db.commission.count({ where: { storeId, status: "approved" } })).toBe(0);
  });

  it("lists each pending commission with the date it becomes approved", async () => {
    const { ingestOrder } = await import("@trailmark/core/orders");
    const { insertClick, DAY } = await import("@trailmark/core/testing");
    const ben = b.creators[1]!;
    const placed = [new Date(Date.now() - 5 * DAY), new Date(Date.now() - 2 * DAY)];
    for (const [i, placedAt] of placed.entries()) {
      const click = await insertClick(db, b.links[1]!, new Date(placedAt.getTime() - 3_600_000));
      await ingestOrder(
        db,
        b.store.id,
        {
          externalId: `pending-${i}`,
          status: "confirmed",
          currency: "USD",
          total: 10_000 * (i + 1),
          clickIds: [click],
          placedAt,
          sourceUpdatedAt: placedAt,
        },
        { now: placedAt },
      );
    }
    const pending = await db.commission.findMany({
      where: { storeId: b.store.id, creatorId: ben.id, status: "pending" },
      orderBy: { holdUntil: "asc" },
    });
    expect(pending).toHaveLength(2);
    const { status, html } = await open("pay-b", "/app/payouts");
    expect(status).toBe(200);
    const day = (d: Date) =>
      d.toLocaleDateString("en-US", { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" });
    const cell = new RegExp(`data-testid="pending-${ben.id}-USD"[\\s\\S]*?</details>`).exec(html)?.[0] ?? "";
    expect(cell).toContain(`approved from ${day(pending[0]!.holdUntil)} to ${day(pending[1]!.holdUntil)}`);
    const items = [...cell.matchAll(/data-testid="pending-commission">([\s\S]*?)<\/li>/g)].map((m) =>
      m[1]!.replace(/<[^>]+>/g, "").replace(/<!-- -->/g, ""),
    );
    expect(items).toEqual(
      pending.map((c) => `$${(Number(c.amount) / 100).toFixed(2)} approved on ${day(c.holdUntil)}`),
    );
    expect(cell).toContain(`href="/app/conversions/${pending[0]!.conversionId}"`);
    // The other shop's page lists none of them.
    expect((await open("pay-a", "/app/payouts")).html).not.toContain(pending[0]!.conversionId);
  });

  it("onboards a creator to Stripe Connect from their page and shows the account's status", async () => {
    const cy = a.creators[2]!;
    const creator = await db.creator.findUniqueOrThrow({ where: { id: cy.id } });
    const page = `/app/creators/${cy.id}`;
    const postTo = (fields: Record<string, string>) =>
      bearer("pay-a", page, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields),
      });
    try {
      process.env.STRIPE_SECRET_KEY = stripe.secretKey;
      const chosen = await postTo({ intent: "payoutMethod", method: "stripe" });
      expect(chosen.status).toBe(200);
      expect(await chosen.text()).toContain(`${creator.name} is now paid by Stripe Connect.`);
      expect((await open("pay-a", page)).html).toContain("No connected account yet");

      const before = stripe.requests.length;
      const started = await postTo({ intent: "stripeOnboard" });
      expect(started.status).toBe(200);
      const html = await started.text();
      const account = await db.creatorPayoutAccount.findFirstOrThrow({
        where: { storeId: a.store.id, creatorId: cy.id },
      });
      expect(account).toMatchObject({ method: "stripe", stripeAccountId: expect.stringMatching(/^acct_/) });
      const id = account.stripeAccountId!;
      expect(html).toContain(`href="https://connect.stripe.com/setup/e/${id}/`);
      // Exactly the bodies Stripe documents: an Express account asking for transfers, then an onboarding link
      // back to this creator's page inside the Shopify admin.
      const back = (kind: string) =>
        `https://admin.shopify.com/store/pay-a/apps/${API_KEY}/app/creators/${cy.id}?stripe=${kind}`;
      expect(stripe.requests.slice(before).filter((r) => r.method === "POST")).toEqual([
        {
          method: "POST",
          path: "/v1/accounts",
          idempotencyKey: `tm_acct_${a.store.id}_${cy.id}`,
          form: {
            type: "express",
            ...(creator.email ? { email: creator.email } : {}),
            "capabilities[transfers][requested]": "true",
            "metadata[store_id]": a.store.id,
            "metadata[creator_id]": cy.id,
          },
        },
        {
          method: "POST",
          path: "/v1/account_links",
          idempotencyKey: null,
          form: { account: id, refresh_url: back("refresh"), return_url: back("return"), type: "account_onboarding" },
        },
      ]);

      // Back from Stripe with the form unfinished: what Stripe still needs, from GET /v1/accounts/:id.
      const unfinished = (await open("pay-a", `${page}?stripe=return`)).html;
      expect(stripe.requests.at(-1)).toMatchObject({ method: "GET", path: `/v1/accounts/${id}` });
      expect(unfinished).toContain("Charges not enabled");
      expect(unfinished).toContain("Payouts not enabled");
      expect(unfinished).toContain(
        "Stripe needs: business_type, external_account, tos_acceptance.date, tos_acceptance.ip",
      );
      expect(unfinished).toContain("Continue Stripe onboarding");
      // Onboarding again reuses the account: a new link, no second account.
      const again = await postTo({ intent: "stripeOnboard" });
      expect(again.status).toBe(200);
      expect(stripe.requests.filter((r) => r.path === "/v1/accounts")).toHaveLength(1);

      // Finished: enabled, nothing due, and the account is stored as ready for transfers.
      Object.assign(stripe.accounts.find((x) => x.id === id)!, {
        chargesEnabled: true,
        payoutsEnabled: true,
        detailsSubmitted: true,
        transfersActive: true,
        currentlyDue: [],
        eventuallyDue: [],
        disabledReason: null,
      });
      const ready = (await open("pay-a", page)).html;
      expect(ready).toContain("Charges enabled");
      expect(ready).toContain("Payouts enabled");
      expect(ready).toContain("Can receive transfers");
      expect(ready).toContain("Nothing due for Stripe now.");
      expect(
        (await db.creatorPayoutAccount.findFirstOrThrow({ where: { storeId: a.store.id, creatorId: cy.id } }))
          .stripeReady,
      ).toBe(true);
      expect((await open("pay-a", `${page}?stripe=refresh`)).html).toContain("The onboarding link expired");

      // Stripe refusing the key: the page still opens and says why; onboarding is refused with the reason.
      process.env.STRIPE_SECRET_KEY = "sk_test_revoked";
      const refused = await open("pay-a", page);
      expect(refused.status).toBe(200);
      expect(refused.html).toMatch(/Stripe account: 401 [^<]*Invalid API Key/);
      const failed = await postTo({ intent: "stripeOnboard" });
      expect(failed.status).toBe(502);
      expect(await failed.text()).toMatch(/Stripe account link: 401 [^<]*Invalid API Key/);
    } finally {
      delete process.env.STRIPE_SECRET_KEY;
    }
    // Without Stripe configured the page says so and offers no onboarding.
    const off = (await open("pay-a", page)).html;
    expect(off).toContain("Stripe is not configured on this server");
    expect(off).not.toContain("Continue Stripe onboarding");
  });

  it("checks the configured providers' credentials with a button", async () => {
    try {
      process.env.STRIPE_SECRET_KEY = stripe.secretKey;
      const good = await post("pay-a", [["intent", "checkCredentials"]]);
      expect(good.status).toBe(200);
      expect(good.html).toContain("stripe: works (Stripe accepted the key (test mode); available: 50000 USD)");
      expect(good.html).toContain("paypal: not configured");
      process.env.STRIPE_SECRET_KEY = "sk_test_revoked";
      const bad = await post("pay-a", [["intent", "checkCredentials"]]);
      expect(bad.html).toMatch(/stripe: refused: Stripe credentials: 401 [^<]*Invalid API Key/);
    } finally {
      delete process.env.STRIPE_SECRET_KEY;
    }
  });

  it("saves the schedule with its day, the approval mode, the default method, holding period, minimum payout and mail digest limit", async () => {
    const settings = (minimumPayout: string, mailDigestAfter = "", more: [string, string][] = []) =>
      post("pay-a", [
        ["intent", "saveSettings"],
        ["schedule", "weekly"],
        ["payoutDay", "5"],
        ["autoApprove", "false"],
        ["provider", "manual"],
        ["holdingDays", "14"],
        ["minimumPayout", minimumPayout],
        ["mailDigestAfter", mailDigestAfter],
        ...more,
      ]);
    const bad = await settings("twelve");
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("Minimum payout: Enter an amount such as 25.00");
    const negative = await post("pay-a", [
      ["intent", "saveSettings"],
      ["schedule", "monthly"],
      ["payoutDay", "15"],
      ["autoApprove", "false"],
      ["provider", "manual"],
      ["holdingDays", "-3"],
      ["minimumPayout", "1.00"],
    ]);
    expect(negative.status).toBe(400);
    expect(negative.html).toContain("Holding period: The default holding period cannot be negative.");
    const saved = await settings("12.50");
    expect(saved.status).toBe(200);
    expect(saved.html).toContain("Payout settings saved.");
    expect(Number((await db.store.findUniqueOrThrow({ where: { id: a.store.id } })).minimumPayout)).toBe(1250);
    // The creator mails' daily limit (an empty field keeps it).
    expect((await db.store.findUniqueOrThrow({ where: { id: a.store.id } })).mailDigestAfter).toBe(5);
    const fraction = await settings("12.50", "2.5");
    expect(fraction.status).toBe(400);
    expect(fraction.html).toContain("Commission emails per day: Enter a whole number");
    expect((await settings("12.50", "3")).status).toBe(200);
    expect((await db.store.findUniqueOrThrow({ where: { id: a.store.id } })).mailDigestAfter).toBe(3);
    expect(await db.storePayoutSettings.findUniqueOrThrow({ where: { storeId: a.store.id } })).toMatchObject({
      schedule: "weekly",
      payoutDay: 5,
      autoApprove: false,
      provider: "manual",
      holdingDays: 14,
    });
    // Day 15 is not a weekday: refused with the reason, nothing saved (the minimum included).
    const notAWeekday = await post("pay-a", [
      ["intent", "saveSettings"],
      ["schedule", "weekly"],
      ["payoutDay", "15"],
      ["autoApprove", "false"],
      ["provider", "manual"],
      ["holdingDays", "14"],
      ["minimumPayout", "99.00"],
    ]);
    expect(notAWeekday.status).toBe(400);
    expect(notAWeekday.html).toContain("must be a weekday, 1 (Monday) to 7 (Sunday)");
    expect(Number((await db.store.findUniqueOrThrow({ where: { id: a.store.id } })).minimumPayout)).toBe(1250);
    // The page shows what was saved.
    const page = await open("pay-a", "/app/payouts");
    expect(page.html).toMatch(/<option value="5" selected="">Friday<\/option>/);
    expect(page.html).toMatch(/name="holdingDays"[^>]*value="14"/);
    // A new campaign's form starts from the store's holding period, and a campaign made without one takes it.
    const form = await open("pay-a", "/app/campaigns/new");
    expect(form.html).toMatch(/name="holdingDays"[^>]*value="14"/);
    const { createCampaign } = await import("@trailmark/core/campaigns");
    expect((await createCampaign(db, a.store.id, { name: "Autumn" })).holdingDays).toBe(14);
    expect((await createCampaign(db, a.store.id, { name: "Winter", holdingDays: 3 })).holdingDays).toBe(3);
    expect((await createCampaign(db, b.store.id, { name: "Autumn" })).holdingDays).toBe(30);
    expect(Number((await db.store.findUniqueOrThrow({ where: { id: b.store.id } })).minimumPayout)).toBe(100);
  });

  it("sets a creator's payout method from the creator's page", async () => {
    const ada = a.creators[0]!;
    const save = (fields: Record<string, string>) =>
      bearer("pay-a", `/app/creators/${ada.id}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ intent: "payoutMethod", ...fields }),
      });
    const bad = await save({ method: "manual", details: "no key here" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("payment details must look like");
    expect((await save({ method: "paypal", paypalEmail: "ada@paypal.example" })).status).toBe(200);
    const account = await db.creatorPayoutAccount.findFirstOrThrow({
      where: { storeId: a.store.id, creatorId: ada.id },
    });
    expect([account.method, account.paypalEmail]).toEqual(["paypal", "ada@paypal.example"]);
    const page = await open("pay-a", `/app/creators/${ada.id}`);
    expect(page.html).toContain("ada@paypal.example");
    expect(page.html).toContain("paid");
    // Another shop cannot change it.
    const other = await bearer("pay-b", `/app/creators/${ada.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "payoutMethod", method: "manual", details: "" }),
    });
    expect(other.status).toBe(404);
  });

  it("refuses the page without a session token", async () => {
    const response = await fetch(`${server.url}/app/payouts`, {
      headers: { "user-agent": BROWSER },
      redirect: "manual",
    });
    expect(response.status).not.toBe(200);
  });
});
