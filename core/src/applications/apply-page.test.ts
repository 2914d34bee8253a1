import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCampaign, setCampaignStatus } from "../campaigns/campaign-store.ts";
import { createStore, findStoreByHandle, setStoreHandle } from "../stores/store.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { listApplications } from "./applications.ts";
import { APPLY_CSRF_COOKIE, type ApplyPage, createApplyPage } from "./apply-page.ts";
import { setProgramTerms } from "./program-settings.ts";

let database: TestDatabase;
let page: ApplyPage;
let storeId: string;
let campaignId: string;
const BASE = "http://apply.test";

async function call(path: string, init: RequestInit = {}, clientIp = "203.0.113.1"): Promise<Response> {
  const response = page.route(new Request(`${BASE}${path}`, { redirect: "manual", ...init }), { clientIp });
  if (!response) throw new Error(`not an apply path: ${path}`);
  return response;
}

/** Opens the form, then posts it with the cookie and token the page gave. */
async function apply(path: string, fields: Record<string, string>, clientIp?: string): Promise<Response> {
  const form = await call(path, {}, clientIp);
  expect(form.status).toBe(200);
  const text = await form.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(text)![1]!;
  const termsVersion = /name="termsVersion" value="(\d+)"/.exec(text)![1]!;
  return call(
    path,
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: `${APPLY_CSRF_COOKIE}=${csrf}` },
      body: new URLSearchParams({ csrf, termsVersion, ...fields }).toString(),
    },
    clientIp,
  );
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const { store } = await createStore(db, { platform: "custom", domain: "glow-shop.example.com", name: "Glow" });
  storeId = store.id;
  expect(store.handle).toBe("glow-shop");
  campaignId = (await createCampaign(db, storeId, { name: "Summer" })).id;
  page = createApplyPage({ db, publicUrl: "https://go.example.com", applicationsPerAddress: 4 });
});
afterAll(async () => database.destroy());

describe("the public application page", () => {
  it("shows the form in the visitor's language, with the terms when the store has some", async () => {
    await setProgramTerms(database.db, storeId, { terms: "Disclose <every> partnership." });
    const en = await call("/apply/glow-shop");
    expect(en.status).toBe(200);
    expect(en.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(en.headers.get("set-cookie")).toMatch(/^tm_apply_csrf=[\w-]+; Path=\/apply; HttpOnly; SameSite=Lax/);
    const text = await en.text();
    expect(text).toContain("Apply to Glow&#39;s creator program");
    expect(text).toContain("Disclose &lt;every&gt; partnership.");
    expect(text).toContain('name="consent" value="yes" required');
    const fr = await call(`/apply/glow-shop/${campaignId}`, { headers: { "accept-language": "fr-FR,fr;q=0.9" } });
    expect(await fr.text()).toContain("Candidater chez Glow : Summer");
  });

  it("stores an application and answers with a thank-you page", async () => {
    const response = await apply(`/apply/glow-shop/${campaignId}`, {
      name: "Dee",
      email: "dee@example.com",
      profiles: "https://tiktok.com/@dee\n\nhttps://youtube.com/dee",
      audience: "5400",
      country: "be",
      note: "Hi",
      consent: "yes",
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/apply/glow-shop/${campaignId}?sent=1`);
    const thanks = await call(`/apply/glow-shop/${campaignId}?sent=1`);
    expect(await thanks.text()).toContain("Glow will review your application");
    const [stored] = await listApplications(database.db, storeId);
    expect(stored).toMatchObject({
      campaignId,
      email: "dee@example.com",
      profileUrls: ["https://tiktok.com/@dee", "https://youtube.com/dee"],
      audienceSize: 5400,
      country: "BE",
      termsVersion: 1,
    });
  });

  it("answers bad input with 4xx and the reason, never 5xx", async () => {
    const invalid = await apply("/apply/glow-shop", { name: "", email: "nope", consent: "yes", audience: "-3" });
    expect(invalid.status).toBe(400);
    const text = await invalid.text();
    expect(text).toContain("enter your name");
    expect(text).toContain("enter a valid email address");
    expect(text).toContain('value="nope"');
    const again = await apply("/apply/glow-shop", { name: "Dee", email: "DEE@example.com", consent: "yes" });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("already waiting for review");
    const noConsent = await apply("/apply/glow-shop", { name: "Eve", email: "eve@example.com" });
    expect(noConsent.status).toBe(400);
    expect(await noConsent.text()).toContain("Accept the program terms to apply.");
    const noCsrf = await call("/apply/glow-shop", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "csrf=x&name=a&email=a@example.com",
    });
    expect(noCsrf.status).toBe(403);
    const unknownField = await call("/apply/glow-shop", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: "tm_apply_csrf=x" },
      body: "csrf=x&admin=1",
    });
    expect(unknownField.status).toBe(400);
    const huge = await call("/apply/glow-shop", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: "tm_apply_csrf=x" },
      body: `csrf=x&note=${"a".repeat(40_000)}`,
    });
    expect(huge.status).toBe(413);
    expect((await call("/apply/no-such-store")).status).toBe(404);
    expect((await call("/apply/glow-shop/cp_missing")).status).toBe(404);
    expect((await call("/apply/%E0%A4%A")).status).toBe(404);
    expect((await call("/apply")).status).toBe(404);
    expect((await call("/apply/glow-shop", { method: "DELETE" })).status).toBe(405);
  });

  it("keeps nothing from a bot that fills the honeypot", async () => {
    const before = (await listApplications(database.db, storeId)).length;
    const response = await apply("/apply/glow-shop", {
      name: "Bot",
      email: "bot@example.com",
      website: "http://spam.example",
      consent: "yes",
    });
    expect(response.status).toBe(303);
    expect((await listApplications(database.db, storeId)).length).toBe(before);
  });

  it("limits applications per address", async () => {
    const ip = "198.51.100.7";
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await apply("/apply/glow-shop", { name: `P${i}`, email: `p${i}@example.com`, consent: "yes" }, ip)).status,
      );
    expect(statuses).toEqual([303, 303, 303, 303, 429]);
  });

  it("closes an ended campaign's page, and follows a new handle", async () => {
    await setCampaignStatus(database.db, storeId, campaignId, "ended");
    expect((await call(`/apply/glow-shop/${campaignId}`)).status).toBe(404);
    await setStoreHandle(database.db, storeId, "Glow");
    expect((await findStoreByHandle(database.db, "glow"))?.id).toBe(storeId);
    expect((await call("/apply/glow")).status).toBe(200);
    expect((await call("/apply/glow-shop")).status).toBe(404);
    await expect(setStoreHandle(database.db, storeId, "-bad")).rejects.toMatchObject({ code: "invalid" });
    const other = await createStore(database.db, { platform: "custom", domain: "other.example.com" });
    await expect(setStoreHandle(database.db, other.store.id, "glow")).rejects.toMatchObject({ code: "conflict" });
  });
});
