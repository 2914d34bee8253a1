import { type AdminProgram, seedAdminProgram } from "@trailmark/core/admin";
import type { Db } from "@trailmark/core/db";
import { createApiKey } from "@trailmark/core/stores";
import type { TestDatabase } from "@trailmark/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as overview from "../routes/admin._index.tsx";
import * as campaigns from "../routes/admin.campaigns._index.tsx";
import * as campaign from "../routes/admin.campaigns.$id.tsx";
import * as newCampaign from "../routes/admin.campaigns.new.tsx";
import * as conversions from "../routes/admin.conversions._index.tsx";
import * as conversion from "../routes/admin.conversions.$id.tsx";
import * as conversionsExport from "../routes/admin.conversions.export.ts";
import * as creators from "../routes/admin.creators._index.tsx";
import * as creator from "../routes/admin.creators.$id.tsx";
import * as models from "../routes/admin.models.tsx";
import * as settings from "../routes/admin.settings.tsx";
import { get, type Owner, openAdminDatabase, post, signInOwner } from "./test-support.ts";

// Store A's owner, signed in, tries every standalone route with store B's ids, in paths, queries and forms.
// Nothing of B is ever shown, and B's rows are the same afterwards. (The embedded routes get the same proof over
// HTTP in server/admin-embedded.e2e.test.ts.)

let database: TestDatabase;
let db: Db;
let a: AdminProgram;
let b: AdminProgram;
let owner: Owner;
let bKey: string;
beforeAll(async () => {
  database = await openAdminDatabase();
  db = database.db;
  a = await seedAdminProgram(db);
  b = await seedAdminProgram(db);
  bKey = (await createApiKey(db, b.store.id, "b's key")).id;
  owner = await signInOwner(db, a.store.id);
});
afterAll(async () => {
  await database.destroy();
});

/** Every row of a store an admin route reads or could change. */
async function snapshot(storeId: string) {
  const where = { storeId };
  const order = { id: "asc" } as const;
  return Promise.all([
    db.store.findUnique({ where: { id: storeId } }),
    db.campaign.findMany({ where, orderBy: order }),
    db.creator.findMany({ where, orderBy: order }),
    db.trackingLink.findMany({ where, orderBy: order }),
    db.discountCode.findMany({ where, orderBy: order }),
    db.apiKey.findMany({ where, orderBy: order }),
    db.webhookInbox.findMany({ where, orderBy: order }),
    db.conversion.findMany({ where, orderBy: order }),
    db.commission.findMany({ where, orderBy: order }),
    db.ownerAccount.findMany({ where, orderBy: order }),
  ]);
}

function bIds(): string[] {
  return [
    b.store.id,
    b.campaign.id,
    ...b.creators.map((c) => c.id),
    ...b.links.map((l) => l.id),
    b.orders.shared.conversionId,
    b.signUp.id,
  ];
}

/** No id of B in what a route answered, except the one the request itself named (echoed in "not found"). */
function expectNoneOfB(value: unknown, path: string) {
  const text = JSON.stringify(value);
  for (const id of bIds()) if (!path.includes(id)) expect(text, `${path} shows ${id}`).not.toContain(id);
}

describe("store isolation in the standalone admin", () => {
  it("never shows another store's rows on any page", async () => {
    const pages: [Parameters<typeof get>[0], string][] = [
      [overview.loader, "/admin?from=2026-03-01&to=2026-03-31"],
      [campaigns.loader, "/admin/campaigns"],
      [newCampaign.loader, "/admin/campaigns/new"],
      [creators.loader, "/admin/creators"],
      [creators.loader, "/admin/creators?status=archived"],
      [conversions.loader, "/admin/conversions"],
      [conversions.loader, `/admin/conversions?creatorId=${b.creators[1]!.id}`],
      [conversions.loader, `/admin/conversions?q=${encodeURIComponent(`1001-${b.store.id}`)}`],
      [models.loader, "/admin/models?from=2026-03-01&to=2026-03-31"],
      [settings.loader, "/admin/settings"],
    ];
    for (const [loader, path] of pages) {
      const { status, data } = await get(loader, path, { owner });
      expect(status, path).toBe(200);
      expectNoneOfB(data, path);
    }
    const csv = await get(conversionsExport.loader, `/admin/conversions/export?creatorId=${b.creators[1]!.id}`, {
      owner,
    });
    expect((await csv.response!.text()).trimEnd().split("\r\n")).toHaveLength(1);
  });

  it("answers 404 for another store's campaign, creator or conversion, wherever its id is given", async () => {
    const lookups: [Parameters<typeof get>[0], string, Record<string, string>][] = [
      [campaign.loader, `/admin/campaigns/${b.campaign.id}`, { id: b.campaign.id }],
      [creator.loader, `/admin/creators/${b.creators[0]!.id}`, { id: b.creators[0]!.id }],
      [conversion.loader, `/admin/conversions/${b.signUp.id}`, { id: b.signUp.id }],
      [overview.loader, `/admin?campaignId=${b.campaign.id}`, {}],
      [models.loader, `/admin/models?campaignId=${b.campaign.id}`, {}],
    ];
    for (const [loader, path, params] of lookups) {
      const { status, data } = await get(loader, path, { owner, params });
      expect(status, path).toBe(404);
      expectNoneOfB(data, path);
    }
  });

  it("changes nothing of another store through any form, and ignores a store id smuggled into one", async () => {
    const before = await snapshot(b.store.id);
    const bCreator = b.creators[0]!.id;
    const aCreator = a.creators[0]!.id;
    const attempts: [Parameters<typeof post>[0], string, Record<string, string>, Record<string, string>][] = [
      [
        campaign.action,
        `/admin/campaigns/${b.campaign.id}`,
        { id: b.campaign.id },
        { intent: "status", status: "ended" },
      ],
      [
        campaign.action,
        `/admin/campaigns/${b.campaign.id}`,
        { id: b.campaign.id },
        { intent: "update", name: "Hijacked", goals: "purchase", attributionModel: "linear" },
      ],
      [campaigns.action, "/admin/campaigns", {}, { intent: "status", campaignId: b.campaign.id, status: "paused" }],
      [
        campaign.action,
        `/admin/campaigns/${a.campaign.id}`,
        { id: a.campaign.id },
        { intent: "override", creatorId: bCreator, goal: "purchase", "rule.type": "flat", "rule.value": "1" },
      ],
      [creators.action, "/admin/creators", {}, { intent: "archive", creatorId: bCreator }],
      [creator.action, `/admin/creators/${bCreator}`, { id: bCreator }, { intent: "update", name: "Hijacked" }],
      [creator.action, `/admin/creators/${bCreator}`, { id: bCreator }, { intent: "archive" }],
      [
        creator.action,
        `/admin/creators/${aCreator}`,
        { id: aCreator },
        { intent: "link", campaignId: b.campaign.id, destinationUrl: `https://${b.store.domain}/` },
      ],
      [
        creator.action,
        `/admin/creators/${aCreator}`,
        { id: aCreator },
        { intent: "code", campaignId: b.campaign.id, code: "STOLEN" },
      ],
      [
        creator.action,
        `/admin/creators/${aCreator}`,
        { id: aCreator },
        { intent: "linkStatus", linkId: b.links[0]!.id, status: "paused" },
      ],
      [settings.action, "/admin/settings", {}, { intent: "revokeKey", keyId: bKey }],
    ];
    for (const [action, path, params, fields] of attempts) {
      const { status } = await post(action, path, fields, { owner, params });
      expect(status, `${path} ${fields.intent}`).toBe(404);
    }
    // Forms that take no id act on the signed-in store only, whatever else they carry.
    await post(settings.action, "/admin/settings", { intent: "retryWebhooks", storeId: b.store.id }, { owner });
    await post(
      settings.action,
      "/admin/settings",
      { intent: "createKey", name: "smuggled", storeId: b.store.id },
      { owner },
    );
    const created = await post(
      newCampaign.action,
      "/admin/campaigns/new",
      {
        intent: "create",
        name: "Smuggled",
        goals: "purchase",
        attributionModel: "last_click",
        storeId: b.store.id,
      },
      { owner },
    );
    expect(created.status).toBe(302);
    await post(
      creators.action,
      "/admin/creators",
      { intent: "create", name: "Smuggled", storeId: b.store.id },
      { owner },
    );
    expect(await db.campaign.count({ where: { name: "Smuggled", storeId: a.store.id } })).toBe(1);
    expect(await db.creator.count({ where: { name: "Smuggled", storeId: a.store.id } })).toBe(1);
    expect(await db.apiKey.count({ where: { name: "smuggled", storeId: a.store.id } })).toBe(1);

    expect(await snapshot(b.store.id)).toEqual(before);
  });
});
