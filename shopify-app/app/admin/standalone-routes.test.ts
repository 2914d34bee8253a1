import { type AdminProgram, createOwner, getAdminSession, seedAdminProgram } from "@trailmark/core/admin";
import type { Db } from "@trailmark/core/db";
import { enqueueDelivery } from "@trailmark/core/inbox";
import { recordDataRequest } from "@trailmark/core/privacy";
import { authenticateApiKey, createStore } from "@trailmark/core/stores";
import type { TestDatabase } from "@trailmark/core/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as overview from "../routes/admin._index.tsx";
import * as campaigns from "../routes/admin.campaigns._index.tsx";
import * as campaign from "../routes/admin.campaigns.$id.tsx";
import * as newCampaign from "../routes/admin.campaigns.new.tsx";
import * as conversions from "../routes/admin.conversions._index.tsx";
import * as conversion from "../routes/admin.conversions.$id.tsx";
import * as conversionsExport from "../routes/admin.conversions.export.ts";
import * as creators from "../routes/admin.creators._index.tsx";
import * as creator from "../routes/admin.creators.$id.tsx";
import * as dataRequests from "../routes/admin.data-requests._index.tsx";
import * as dataRequest from "../routes/admin.data-requests.$id.ts";
import * as models from "../routes/admin.models.tsx";
import * as settings from "../routes/admin.settings.tsx";
import * as layout from "../routes/admin.tsx";
import * as loginLink from "../routes/admin_.login.link.tsx";
import * as login from "../routes/admin_.login.tsx";
import * as logout from "../routes/admin_.logout.tsx";
import { LOGIN_CSRF_COOKIE, SESSION_COOKIE } from "./standalone.server.ts";
import { get, ORIGIN, type Owner, openAdminDatabase, PASSWORD, post, signInOwner } from "./test-support.ts";

// Every standalone route's loader and action, called as Remix calls them, on a seeded program.

let database: TestDatabase;
let db: Db;
let program: AdminProgram;
let owner: Owner;
beforeAll(async () => {
  database = await openAdminDatabase();
  db = database.db;
  program = await seedAdminProgram(db);
  owner = await signInOwner(db, program.store.id);
});
afterAll(async () => {
  await database.destroy();
});

const MARCH = "?from=2026-03-01&to=2026-03-31";

describe("signing in", () => {
  it("sends a visitor without a session to the sign-in page, keeping where they were going", async () => {
    for (const [loader, path] of [
      [layout.loader, "/admin"],
      [overview.loader, "/admin?from=2026-03-01"],
      [campaigns.loader, "/admin/campaigns"],
      [settings.loader, "/admin/settings.data"],
    ] as const) {
      const { status, headers } = await get(loader, path);
      expect(status, path).toBe(302);
      expect(headers.get("location"), path).toBe(`/admin/login?next=${encodeURIComponent(path.replace(".data", ""))}`);
    }
    const bogus = await get(overview.loader, "/admin", { headers: { cookie: `${SESSION_COOKIE}=not-a-session` } });
    expect(bogus.status).toBe(302);
  });

  it("signs in with email and password: a fresh session in an httpOnly, SameSite=Lax cookie", async () => {
    const email = "signin@example.com";
    const { store } = await createStore(db, { platform: "custom", domain: "signin.example.com" });
    await createOwner(db, store.id, email, PASSWORD);
    const page = await get<{ csrfToken: string; links: boolean }>(login.loader, "/admin/login?next=/admin/conversions");
    expect(page.status).toBe(200);
    const setCookie = page.headers.get("set-cookie")!;
    expect(setCookie).toMatch(new RegExp(`^${LOGIN_CSRF_COOKIE}=[\\w-]+; Path=/; HttpOnly; SameSite=Lax`));
    const csrfCookie = setCookie.split(";")[0]!;
    const form = { intent: "password", email, password: PASSWORD, next: "/admin/conversions" };

    const forged = await post(login.action, "/admin/login", form, { csrf: "forged", headers: { cookie: csrfCookie } });
    expect(forged.status).toBe(403);
    const crossSite = await post(login.action, "/admin/login", form, {
      csrf: page.data.csrfToken,
      headers: { cookie: csrfCookie, origin: "https://evil.example" },
    });
    expect(crossSite.status).toBe(403);
    const wrong = await post(
      login.action,
      "/admin/login",
      { ...form, password: "not the password!" },
      {
        csrf: page.data.csrfToken,
        headers: { cookie: csrfCookie },
      },
    );
    expect(wrong).toMatchObject({ status: 401, data: { ok: false, errors: { form: "wrong email or password" } } });
    const invalid = await post(
      login.action,
      "/admin/login",
      { ...form, email: "nope" },
      {
        csrf: page.data.csrfToken,
        headers: { cookie: csrfCookie },
      },
    );
    expect(invalid).toMatchObject({ status: 400, data: { errors: { email: expect.any(String) } } });

    const ok = await post(login.action, "/admin/login", form, {
      csrf: page.data.csrfToken,
      headers: { cookie: csrfCookie },
    });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toBe("/admin/conversions");
    const session = ok.headers.get("set-cookie")!;
    expect(session).toMatch(
      new RegExp(`^${SESSION_COOKIE}=[\\w-]{43}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60479\\d`),
    );
    expect(session).not.toContain("Secure");
    const token = /=([\w-]+);/.exec(session)![1]!;
    expect((await getAdminSession(db, token))?.storeId).toBe(store.id);
    // Signed in already: the sign-in page forwards.
    const again = await get(login.loader, "/admin/login", { headers: { cookie: `${SESSION_COOKIE}=${token}` } });
    expect(again.status).toBe(302);
  });

  it("never forwards outside the admin after signing in", async () => {
    const page = await get<{ next: string }>(
      login.loader,
      `/admin/login?next=${encodeURIComponent("https://evil.example/x")}`,
    );
    expect(page.data.next).toBe("/admin");
    const slashes = await get<{ next: string }>(
      login.loader,
      `/admin/login?next=${encodeURIComponent("//evil.example")}`,
    );
    expect(slashes.data.next).toBe("/admin");
    // Dot-segments that climb out of /admin, plain or percent-encoded, are judged as the browser resolves them.
    for (const next of ["/admin/../portal", "/admin/%2e%2e/portal", "/admin/%2E%2E/%2E%2E/portal", "/admin/./../c/x"]) {
      const page = await get<{ next: string }>(login.loader, `/admin/login?next=${encodeURIComponent(next)}`);
      expect(page.data.next, next).toBe("/admin");
    }
    const inside = await get<{ next: string }>(
      login.loader,
      `/admin/login?next=${encodeURIComponent("/admin/x/../campaigns?from=2026-03-01")}`,
    );
    expect(inside.data.next).toBe("/admin/campaigns?from=2026-03-01");
  });

  it("signs in with a one-time link printed to the log in development", async () => {
    const email = "link-owner@example.com";
    const { store } = await createStore(db, { platform: "woocommerce", domain: "link.example.com" });
    await createOwner(db, store.id, email, null);
    const page = await get<{ csrfToken: string }>(login.loader, "/admin/login");
    const cookie = page.headers.get("set-cookie")!.split(";")[0]!;
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    const sent = await post(
      login.action,
      "/admin/login",
      { intent: "link", email },
      { csrf: page.data.csrfToken, headers: { cookie } },
    );
    const unknown = await post(
      login.action,
      "/admin/login",
      { intent: "link", email: "who@example.com" },
      {
        csrf: page.data.csrfToken,
        headers: { cookie },
      },
    );
    expect(sent.data).toEqual(unknown.data);
    expect(info).toHaveBeenCalledTimes(1);
    const url = new URL(/(http\S+)$/.exec(String(info.mock.calls[0]![0]))![1]!);
    info.mockRestore();
    expect(url.pathname).toBe("/admin/login/link");

    const confirm = await get<{ token: string; csrfToken: string }>(loginLink.loader, `${url.pathname}${url.search}`, {
      headers: { cookie },
    });
    expect(confirm.data.token).toBe(url.searchParams.get("token"));
    const used = await post(
      loginLink.action,
      "/admin/login/link",
      { token: confirm.data.token },
      {
        csrf: confirm.data.csrfToken,
        headers: { cookie },
      },
    );
    expect(used.status).toBe(302);
    expect(used.headers.get("set-cookie")).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    const replay = await post(
      loginLink.action,
      "/admin/login/link",
      { token: confirm.data.token },
      {
        csrf: confirm.data.csrfToken,
        headers: { cookie },
      },
    );
    expect(replay).toMatchObject({
      status: 401,
      data: { error: expect.stringContaining("expired or was already used") },
    });
  });

  it("signs out only with the session's CSRF token", async () => {
    const me = await signInOwner(
      db,
      (await createStore(db, { platform: "custom", domain: "out.example.com" })).store.id,
    );
    expect((await post(logout.action, "/admin/logout", {}, { owner: me, csrf: null })).status).toBe(403);
    const out = await post(logout.action, "/admin/logout", {}, { owner: me });
    expect(out.status).toBe(302);
    expect(out.headers.get("set-cookie")).toMatch(
      new RegExp(`^${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`),
    );
    expect((await get(overview.loader, "/admin", { owner: me })).status).toBe(302);
    expect((await get(logout.loader, "/admin/logout")).status).toBe(302);
  });
});

describe("CSRF on every action", () => {
  const actions = [
    [campaigns.action, "/admin/campaigns", {}],
    [newCampaign.action, "/admin/campaigns/new", {}],
    [campaign.action, "/admin/campaigns/x", { id: "x" }],
    [creators.action, "/admin/creators", {}],
    [creator.action, "/admin/creators/x", { id: "x" }],
    [settings.action, "/admin/settings", {}],
  ] as const;

  it("refuses a post without the token, with another token, or from another origin", async () => {
    for (const [action, path, params] of actions) {
      const fields = { intent: "create", name: "Forged" };
      expect((await post(action, path, fields, { owner, params, csrf: null })).status, path).toBe(403);
      expect((await post(action, path, fields, { owner, params, csrf: "x".repeat(43) })).status, path).toBe(403);
      expect(
        (await post(action, path, fields, { owner, params, headers: { origin: "https://evil.example" } })).status,
        path,
      ).toBe(403);
    }
    expect(await db.campaign.count({ where: { name: "Forged" } })).toBe(0);
    expect(await db.creator.count({ where: { name: "Forged" } })).toBe(0);
  });

  it("takes the token from a header for scripted requests", async () => {
    const result = await post(
      settings.action,
      "/admin/settings",
      { intent: "retryWebhooks" },
      {
        owner,
        csrf: null,
        headers: { "x-csrf-token": owner.csrfToken },
      },
    );
    expect(result.status).toBe(200);
  });
});

describe("layout and overview", () => {
  it("gives the layout the store, the owner and the CSRF token", async () => {
    const { data } = await get(layout.loader, "/admin", { owner });
    expect(data).toEqual({
      base: "/admin",
      storeName: program.store.name,
      who: owner.email,
      csrfToken: owner.csrfToken,
    });
  });

  it("loads the overview for the range and campaign", async () => {
    const { status, data } = await get<{
      overview: { purchases: number; money: { currency: string; revenue: number }[]; clicks: { raw: number } };
      range: unknown;
      tracking: { kind: string };
    }>(overview.loader, `/admin${MARCH}&campaignId=${program.campaign.id}`, { owner });
    expect(status).toBe(200);
    expect(data.overview).toMatchObject({
      purchases: 2,
      money: [{ currency: "USD", revenue: 27_000 }],
      clicks: { raw: 8 },
    });
    expect(data.range).toEqual({ fromDay: "2026-03-01", toDay: "2026-03-31" });
    expect(data.tracking.kind).toBe("site_script");
  });
});

describe("campaigns", () => {
  const form = {
    intent: "create",
    name: "Summer",
    goals: ["purchase"],
    attributionModel: "first_click",
    lookbackDays: "14",
    "rule.purchase.type": "percentage",
    "rule.purchase.value": "15",
    budgetCap: "500.00",
  };

  it("lists the campaigns with their links", async () => {
    const { data } = await get<{ campaigns: { name: string; links: number }[] }>(campaigns.loader, "/admin/campaigns", {
      owner,
    });
    expect(data.campaigns.map((c) => [c.name, c.links])).toEqual([["Spring", 3]]);
  });

  it("creates a campaign from the form and shows field errors for a bad one", async () => {
    const page = await get<{ values: Record<string, unknown> }>(newCampaign.loader, "/admin/campaigns/new", { owner });
    expect(page.data.values).toMatchObject({ name: "", goals: ["purchase"], "rule.purchase.value": "10" });
    const bad = await post(
      newCampaign.action,
      "/admin/campaigns/new",
      { ...form, lookbackDays: "400", "rule.purchase.value": "" },
      { owner },
    );
    expect(bad).toMatchObject({
      status: 400,
      data: { ok: false, errors: { lookbackDays: expect.any(String), "rule.purchase.value": "enter the commission" } },
    });
    const created = await post(newCampaign.action, "/admin/campaigns/new", form, { owner });
    expect(created.status).toBe(302);
    const row = await db.campaign.findFirstOrThrow({ where: { storeId: program.store.id, name: "Summer" } });
    expect(created.headers.get("location")).toBe(`/admin/campaigns/${row.id}?created=1`);
    expect(row).toMatchObject({ attributionModel: "first_click", lookbackDays: 14, budgetCap: 50_000n });
    const taken = await post(newCampaign.action, "/admin/campaigns/new", form, { owner });
    expect(taken).toMatchObject({ status: 409, data: { errors: { name: expect.stringContaining("already exists") } } });
  });

  it("edits a campaign, pauses and ends it, and sets a creator's own commission", async () => {
    const id = program.campaign.id;
    const params = { id };
    const page = await get<{ values: Record<string, unknown>; overrides: unknown[] }>(
      campaign.loader,
      `/admin/campaigns/${id}`,
      {
        owner,
        params,
      },
    );
    expect(page.data.values).toMatchObject({
      name: "Spring",
      "rule.sign_up.type": "flat",
      "rule.sign_up.value": "2.00",
    });
    const saved = await post(
      campaign.action,
      `/admin/campaigns/${id}`,
      { ...(page.data.values as Record<string, string>), intent: "update", lookbackDays: "45" },
      { owner, params },
    );
    expect(saved).toMatchObject({ status: 200, data: { ok: true, intent: "update" } });
    expect((await db.campaign.findUniqueOrThrow({ where: { id } })).lookbackDays).toBe(45);

    expect(
      (await post(campaign.action, `/admin/campaigns/${id}`, { intent: "status", status: "paused" }, { owner, params }))
        .data,
    ).toMatchObject({ ok: true });
    expect((await db.campaign.findUniqueOrThrow({ where: { id } })).status).toBe("paused");
    expect(
      (
        await post(
          campaigns.action,
          "/admin/campaigns",
          { intent: "status", campaignId: id, status: "active" },
          { owner },
        )
      ).data,
    ).toMatchObject({ ok: true });
    expect(
      (
        await post(
          campaigns.action,
          "/admin/campaigns",
          { intent: "status", campaignId: id, status: "gone" },
          { owner },
        )
      ).status,
    ).toBe(400);

    const ada = program.creators[0]!.id;
    const override = await post(
      campaign.action,
      `/admin/campaigns/${id}`,
      { intent: "override", creatorId: ada, goal: "purchase", "rule.type": "percentage", "rule.value": "20" },
      { owner, params },
    );
    expect(override.data).toMatchObject({ ok: true, message: "Override saved." });
    const after = await get<{ overrides: unknown[] }>(campaign.loader, `/admin/campaigns/${id}`, { owner, params });
    expect(after.data.overrides).toEqual([
      { creatorId: ada, creatorName: "Ada", goal: "purchase", rule: { type: "percentage", basisPoints: 2000 } },
    ]);
    const badOverride = await post(
      campaign.action,
      `/admin/campaigns/${id}`,
      { intent: "override", creatorId: ada, goal: "purchase", "rule.type": "percentage", "rule.value": "200" },
      { owner, params },
    );
    expect(badOverride).toMatchObject({ status: 400, data: { errors: { "rule.value": expect.any(String) } } });
  });

  it("answers 404 for a campaign that does not exist", async () => {
    const missing = await get(campaign.loader, "/admin/campaigns/cp_missing", { owner, params: { id: "cp_missing" } });
    expect(missing.status).toBe(404);
  });
});

describe("creators", () => {
  it("lists, creates, archives and restores creators", async () => {
    const list = await get<{ creators: { name: string; links: number }[] }>(creators.loader, "/admin/creators", {
      owner,
    });
    expect(list.data.creators.map((c) => [c.name, c.links])).toEqual([
      ["Ada", 1],
      ["Ben", 1],
      ["Cy", 1],
    ]);
    expect(
      (await post(creators.action, "/admin/creators", { intent: "create", name: "", email: "x" }, { owner })).data,
    ).toMatchObject({
      errors: { name: "The name is required", email: expect.any(String) },
    });
    const created = await post(
      creators.action,
      "/admin/creators",
      { intent: "create", name: "Dee", email: "dee@example.com" },
      { owner },
    );
    expect(created.status).toBe(302);
    const dee = await db.creator.findFirstOrThrow({ where: { storeId: program.store.id, name: "Dee" } });
    expect(created.headers.get("location")).toBe(`/admin/creators/${dee.id}?created=1`);
    await post(creators.action, "/admin/creators", { intent: "archive", creatorId: dee.id }, { owner });
    expect((await db.creator.findUniqueOrThrow({ where: { id: dee.id } })).status).toBe("archived");
    const archived = await get<{ creators: { name: string }[] }>(creators.loader, "/admin/creators?status=archived", {
      owner,
    });
    expect(archived.data.creators.map((c) => c.name)).toEqual(["Dee"]);
    await post(creator.action, `/admin/creators/${dee.id}`, { intent: "restore" }, { owner, params: { id: dee.id } });
    expect((await db.creator.findUniqueOrThrow({ where: { id: dee.id } })).status).toBe("active");
  });

  it("shows a creator's links with tracking URLs, and adds codes and links", async () => {
    const ben = program.creators[1]!;
    const params = { id: ben.id };
    const page = await get<{ links: { trackingUrl: string; code: string }[]; codes: unknown[] }>(
      creator.loader,
      `/admin/creators/${ben.id}`,
      { owner, params },
    );
    expect(page.data.links).toEqual([
      expect.objectContaining({ trackingUrl: `${ORIGIN}/c/${program.links[1]!.code}` }),
    ]);

    const code = await post(
      creator.action,
      `/admin/creators/${ben.id}`,
      { intent: "code", campaignId: program.campaign.id, code: "ben10" },
      { owner, params },
    );
    expect(code.data).toMatchObject({ ok: true, message: "Discount code BEN10 now credits Ben." });
    const again = await post(
      creator.action,
      `/admin/creators/${ben.id}`,
      { intent: "code", campaignId: program.campaign.id, code: "BEN10" },
      { owner, params },
    );
    expect(again).toMatchObject({
      status: 409,
      data: { errors: { code: expect.stringContaining("already assigned") } },
    });

    const { createCampaign } = await import("@trailmark/core/campaigns");
    const autumn = await createCampaign(db, program.store.id, { name: "Autumn" });
    const offsite = await post(
      creator.action,
      `/admin/creators/${ben.id}`,
      { intent: "link", campaignId: autumn.id, destinationUrl: "https://elsewhere.example.org/" },
      { owner, params },
    );
    expect(offsite).toMatchObject({ status: 400, data: { errors: { destinationUrl: "not on the store's domain" } } });
    const link = await post(
      creator.action,
      `/admin/creators/${ben.id}`,
      {
        intent: "link",
        campaignId: autumn.id,
        destinationUrl: `https://${program.store.domain}/tea`,
        code: "ben-autumn",
      },
      { owner, params },
    );
    expect(link.data).toMatchObject({ ok: true, message: `Link created: ${ORIGIN}/c/ben-autumn` });
    const row = await db.trackingLink.findUniqueOrThrow({ where: { code: "ben-autumn" } });
    const paused = await post(
      creator.action,
      `/admin/creators/${ben.id}`,
      { intent: "linkStatus", linkId: row.id, status: "paused" },
      { owner, params },
    );
    expect(paused.data).toMatchObject({ ok: true });
    expect((await db.trackingLink.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("paused");
    const otherCreatorsLink = program.links[0]!.id;
    expect(
      (
        await post(
          creator.action,
          `/admin/creators/${ben.id}`,
          { intent: "linkStatus", linkId: otherCreatorsLink, status: "paused" },
          { owner, params },
        )
      ).status,
    ).toBe(404);

    const renamed = await post(
      creator.action,
      `/admin/creators/${ben.id}`,
      { intent: "update", name: "Ben B.", email: "" },
      { owner, params },
    );
    expect(renamed.data).toMatchObject({ ok: true });
    await post(
      creator.action,
      `/admin/creators/${ben.id}`,
      { intent: "update", name: "Ben", email: "" },
      { owner, params },
    );
  });
});

describe("conversions", () => {
  it("lists, filters and searches conversions", async () => {
    const all = await get<{ list: { total: number; items: { orderNumber: string | null }[] } }>(
      conversions.loader,
      "/admin/conversions",
      { owner },
    );
    expect(all.data.list.total).toBe(6);
    const found = await get<{ list: { items: { orderNumber: string | null }[] }; filter: { q: string } }>(
      conversions.loader,
      "/admin/conversions?q=1002",
      { owner },
    );
    expect(found.data.list.items.map((c) => c.orderNumber)).toEqual(["#1002"]);
    expect(found.data.filter.q).toBe("1002");
    const rejected = await get<{ list: { total: number } }>(
      conversions.loader,
      "/admin/conversions?status=rejected&kind=purchase",
      { owner },
    );
    expect(rejected.data.list.total).toBe(1);
    const dated = await get<{ list: { total: number } }>(
      conversions.loader,
      "/admin/conversions?from=2026-04-01&to=2026-04-30",
      { owner },
    );
    expect(dated.data.list.total).toBe(0);
  });

  it("shows one conversion's journey and commission", async () => {
    const id = program.orders.shared.conversionId;
    const { data } = await get<{
      journey: {
        steps: { type: string }[];
        conversion: { creators: { name: string; commission: { amount: number } }[] };
      };
    }>(conversion.loader, `/admin/conversions/${id}`, { owner, params: { id } });
    expect(data.journey.steps.map((s) => s.type)).toEqual(["click", "click", "conversion"]);
    expect(data.journey.conversion.creators).toEqual([
      expect.objectContaining({ name: "Ben", commission: expect.objectContaining({ amount: 2_000 }) }),
    ]);
    expect(
      (await get(conversion.loader, "/admin/conversions/cv_missing", { owner, params: { id: "cv_missing" } })).status,
    ).toBe(404);
  });

  it("exports the filtered conversions as CSV", async () => {
    const { response } = await get(conversionsExport.loader, "/admin/conversions/export?kind=purchase", { owner });
    expect(response!.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response!.headers.get("content-disposition")).toMatch(
      /^attachment; filename="trailmark-conversions-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const lines = (await response!.text()).trimEnd().split("\r\n");
    expect(lines).toHaveLength(1 + 5);
    expect(lines[0]).toMatch(/^conversion_id,occurred_at,kind,/);
    expect((await get(conversionsExport.loader, "/admin/conversions/export")).status).toBe(302);
  });
});

describe("customer data requests", () => {
  it("lists the store's data requests with what is held and downloads each export as JSON", async () => {
    const orderId = `1001-${program.store.id}`;
    const recorded = await recordDataRequest(
      db,
      program.store.id,
      { requestId: "4242", selector: { orderExternalIds: [orderId] }, receivedAt: new Date("2026-03-20T10:00:00Z") },
      () => {},
    );
    const { status, data } = await get<{ requests: { id: string; requestId: string; held: { orders: number } }[] }>(
      dataRequests.loader,
      "/admin/data-requests",
      { owner },
    );
    expect(status).toBe(200);
    expect(data.requests).toEqual([
      expect.objectContaining({ id: recorded.id, requestId: "4242", held: expect.objectContaining({ orders: 1 }) }),
    ]);
    const { response } = await get(dataRequest.loader, `/admin/data-requests/${recorded.id}`, {
      owner,
      params: { id: recorded.id },
    });
    expect(response!.headers.get("content-disposition")).toBe(
      'attachment; filename="trailmark-data-request-4242.json"',
    );
    const exported = (await response!.json()) as { orders: { externalId: string }[]; request: { receivedAt: string } };
    expect(exported.orders.map((o) => o.externalId)).toEqual([orderId]);
    expect(exported.request.receivedAt).toBe("2026-03-20T10:00:00.000Z");
    expect((await get(dataRequest.loader, "/admin/data-requests/dr_x", { owner, params: { id: "dr_x" } })).status).toBe(
      404,
    );
    expect(
      (await get(dataRequest.loader, `/admin/data-requests/${recorded.id}`, { params: { id: recorded.id } })).status,
    ).toBe(302);
  });
});

describe("model comparison", () => {
  it("compares the five models over the range", async () => {
    const { data } = await get<{ comparison: { compared: number; models: string[]; creators: { name: string }[] } }>(
      models.loader,
      `/admin/models${MARCH}`,
      { owner },
    );
    expect(data.comparison.models).toHaveLength(5);
    expect(data.comparison.compared).toBe(4);
    expect(data.comparison.creators.map((c) => c.name).sort()).toEqual(["Ada", "Ben"]);
  });
});

describe("settings", () => {
  it("shows tracking, webhooks, keys and owners", async () => {
    const { data } = await get<{
      settings: { tracking: { kind: string; scriptTag: string } };
      owners: { email: string }[];
      canRepairPixel: boolean;
    }>(settings.loader, "/admin/settings", { owner });
    // The seeded visit is from March: the script is set up but silent since.
    expect(data.settings.tracking).toMatchObject({ kind: "site_script", state: "silent" });
    expect(data.settings.tracking.scriptTag).toContain(`data-store="${program.store.id}"`);
    expect(data.owners.map((o) => o.email)).toEqual([owner.email]);
    expect(data.canRepairPixel).toBe(false);
  });

  it("creates an API key shown once, which works until it is revoked", async () => {
    const missing = await post(settings.action, "/admin/settings", { intent: "createKey", name: " " }, { owner });
    expect(missing).toMatchObject({ status: 400, data: { errors: { name: "The name is required" } } });
    const created = await post<{ secret: string }>(
      settings.action,
      "/admin/settings",
      { intent: "createKey", name: "Checkout" },
      { owner },
    );
    const key = created.data.secret;
    expect(key).toMatch(/^tm_live_/);
    expect((await authenticateApiKey(db, `Bearer ${key}`)).storeId).toBe(program.store.id);
    const page = await get<{ settings: { apiKeys: { id: string; name: string; lastUsedAt: Date | null }[] } }>(
      settings.loader,
      "/admin/settings",
      { owner },
    );
    expect(JSON.stringify(page.data)).not.toContain(key);
    const shown = page.data.settings.apiKeys.find((k) => k.name === "Checkout")!;
    // Settings shows when the key was last used: the authentication above counted.
    expect(shown.lastUsedAt).toBeInstanceOf(Date);
    const keyId = shown.id;
    expect(
      (await post(settings.action, "/admin/settings", { intent: "revokeKey", keyId }, { owner })).data,
    ).toMatchObject({ ok: true });
    await expect(authenticateApiKey(db, `Bearer ${key}`)).rejects.toMatchObject({ code: "unauthorized" });
  });

  it("queues failed webhook deliveries again", async () => {
    const { id } = await enqueueDelivery(db, {
      source: "woocommerce",
      storeId: program.store.id,
      topic: "order.updated",
      dedupKey: "settings-retry",
      headers: {},
      body: new Uint8Array([1]),
    });
    await db.webhookInbox.update({ where: { id }, data: { status: "dead", attempts: 10 } });
    const result = await post(settings.action, "/admin/settings", { intent: "retryWebhooks" }, { owner });
    expect(result.data).toMatchObject({ ok: true, message: "1 deliveries queued for another try." });
  });

  it("has nothing to repair for a site script, and no WooCommerce for a custom store", async () => {
    expect((await post(settings.action, "/admin/settings", { intent: "repairPixel" }, { owner })).data).toMatchObject({
      ok: true,
    });
    expect(
      (
        await post(
          settings.action,
          "/admin/settings",
          { intent: "wooConnect", url: "https://x.example.com", key: "ck_1", secret: "cs_1" },
          { owner },
        )
      ).data,
    ).toMatchObject({
      ok: false,
      errors: { form: "This store is not a WooCommerce store." },
    });
    expect((await post(settings.action, "/admin/settings", { intent: "nonsense" }, { owner })).status).toBe(400);
  });
});
