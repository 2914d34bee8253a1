import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOwner } from "../admin/owner-accounts.ts";
import type { Db } from "../db/client.ts";
import { redactInboxDeliveries } from "../inbox/stored-deliveries.ts";
import { enqueueCreatorMail, setMailKind } from "../mail/index.ts";
import { hashCustomerRef, hashEmail } from "../shared/hashing.ts";
import { newId } from "../shared/ids.ts";
import { createStore } from "../stores/store.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { exportCustomerData, redactCustomer } from "./customer-data.ts";
import { dataRequestExport, listDataRequests, recordDataRequest } from "./data-requests.ts";
import { deleteStoreData } from "./store-data.ts";

let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});
afterAll(async () => {
  await database.destroy();
});

const JANE = { email: "jane@example.com", customerId: "115310627314723954" };
const AT = new Date("2026-11-20T15:00:00Z");

interface Seeded {
  storeId: string;
  shop: string;
  janeVisitor: string;
  otherVisitor: string;
}

/** A store with Jane's order (and her browser's trail) and another customer's order. */
async function seedStore(shop: string): Promise<Seeded> {
  const { store } = await createStore(db, { platform: "shopify", domain: shop });
  const storeId = store.id;
  const janeVisitor = newId("vi");
  const otherVisitor = newId("vi");
  await db.visitor.createMany({
    data: [
      { id: janeVisitor, storeId, externalId: `client-jane-${shop}`, firstSeenAt: AT, lastSeenAt: AT },
      { id: otherVisitor, storeId, externalId: `client-other-${shop}`, firstSeenAt: AT, lastSeenAt: AT },
    ],
  });
  const order = (externalId: string, emailHash: string | null, customerRef: string | null, token: string) => ({
    id: newId("or"),
    storeId,
    externalId,
    number: `#${externalId.slice(-4)}`,
    status: "confirmed",
    currency: "USD",
    total: 8990n,
    customerEmailHash: emailHash,
    customerRef,
    checkoutToken: token,
    landingUrl: "/?tm_click=tm_AbCdEfGhIjKlMnOp",
    clickIds: '["tm_AbCdEfGhIjKlMnOp"]',
    placedAt: AT,
    sourceUpdatedAt: AT,
  });
  await db.order.createMany({
    data: [
      order("820982911946154508", hashEmail(JANE.email), hashCustomerRef(JANE.customerId), `tok-jane-${shop}`),
      order("820982911946150000", hashEmail("other@example.com"), hashCustomerRef("42"), `tok-other-${shop}`),
    ],
  });
  const event = (visitorId: string, type: string, extra: Record<string, unknown> = {}) => ({
    id: newId("ev"),
    storeId,
    eventKey: newId("key"),
    type,
    source: "pixel",
    visitorId,
    clickIds: '["tm_AbCdEfGhIjKlMnOp"]',
    url: "https://shop.example.com/products/x?tm_click=tm_AbCdEfGhIjKlMnOp",
    referrer: "https://l.instagram.com/",
    occurredAt: AT,
    ...extra,
  });
  await db.event.createMany({
    data: [
      event(janeVisitor, "page_view"),
      event(janeVisitor, "purchase", { checkoutToken: `tok-jane-${shop}` }),
      event(otherVisitor, "page_view"),
      event(otherVisitor, "purchase", { checkoutToken: `tok-other-${shop}` }),
      event(otherVisitor, "sign_up", { customerRef: hashCustomerRef("someone@else.com") }),
    ],
  });
  return { storeId, shop, janeVisitor, otherVisitor };
}

const janeSelector = {
  emailHash: hashEmail(JANE.email),
  customerRef: hashCustomerRef(JANE.customerId),
  orderExternalIds: ["820982911946154508"],
};

describe("exportCustomerData and recordDataRequest", () => {
  it("return the customer's orders, their browser's events and the browser, and nothing of others", async () => {
    const s = await seedStore("export-a.myshopify.com");
    await seedStore("export-b.myshopify.com");
    const data = await exportCustomerData(db, s.storeId, janeSelector);
    expect(data.orders.map((o) => o.externalId)).toEqual(["820982911946154508"]);
    expect(data.orders[0]).toMatchObject({ total: 8990, currency: "USD", hasEmailHash: true, hasCustomerRef: true });
    expect(data.events.map((e) => e.type).sort()).toEqual(["page_view", "purchase"]);
    expect(data.visitors.map((v) => v.externalId)).toEqual(["client-jane-export-a.myshopify.com"]);

    const byEmailOnly = await exportCustomerData(db, s.storeId, { emailHash: hashEmail(" JANE@example.com ") });
    expect(byEmailOnly.orders).toHaveLength(1);
    expect(await exportCustomerData(db, s.storeId, {})).toEqual({ orders: [], events: [], visitors: [] });

    const logged: string[] = [];
    const recorded = await recordDataRequest(db, s.storeId, { requestId: "9999", selector: janeSelector }, (m) =>
      logged.push(m),
    );
    expect(recorded.held).toEqual({ orders: 1, events: 2, visitors: 1 });
    // Recorded once per request id, for the admin, with only what finds the data.
    const replay = await recordDataRequest(db, s.storeId, { requestId: "9999", selector: janeSelector }, () => {});
    expect(replay.id).toBe(recorded.id);
    const listed = await listDataRequests(db, s.storeId);
    expect(listed).toEqual([expect.objectContaining({ id: recorded.id, requestId: "9999", held: recorded.held })]);
    const stored = await db.dataRequest.findUniqueOrThrow({ where: { id: recorded.id } });
    expect(JSON.stringify(stored)).not.toContain("jane");
    expect((await dataRequestExport(db, s.storeId, recorded.id))?.data).toEqual(data);
    expect(await dataRequestExport(db, "st_other", recorded.id)).toBeNull();
    expect(logged).toEqual([`data request 9999 for store ${s.storeId}: 1 orders, 2 events, 1 visitors held`]);
    expect(logged.join()).not.toContain("jane");
  });
});

describe("redactCustomer", () => {
  it("strips the customer's identity from orders and events, deletes their browser, and leaves others alone", async () => {
    const s = await seedStore("redact-a.myshopify.com");
    const other = await seedStore("redact-b.myshopify.com");
    const before = await db.order.count();
    await recordDataRequest(db, s.storeId, { requestId: "1", selector: janeSelector }, () => {});
    await recordDataRequest(db, s.storeId, { requestId: "2", selector: { emailHash: hashEmail("o@x.com") } }, () => {});

    const result = await redactCustomer(db, s.storeId, janeSelector);
    expect(result).toEqual({ orders: 1, events: 2, visitors: 1, dataRequests: 1 });
    expect((await db.dataRequest.findMany({ where: { storeId: s.storeId } })).map((r) => r.requestId)).toEqual(["2"]);

    const jane = await db.order.findFirstOrThrow({ where: { storeId: s.storeId, externalId: "820982911946154508" } });
    expect(jane).toMatchObject({
      customerEmailHash: null,
      customerRef: null,
      landingUrl: null,
      total: 8990n,
      status: "confirmed",
    });
    expect(jane.clickIds).toBe('["tm_AbCdEfGhIjKlMnOp"]');
    const janeEvents = await db.event.findMany({
      where: { storeId: s.storeId, checkoutToken: "tok-jane-redact-a.myshopify.com" },
    });
    expect(janeEvents).toHaveLength(1);
    expect(janeEvents[0]).toMatchObject({ url: null, referrer: null, customerRef: null, visitorId: null });
    expect(await db.visitor.findUnique({ where: { id: s.janeVisitor } })).toBeNull();
    expect(await db.event.count({ where: { storeId: s.storeId, url: null } })).toBe(2);

    // Orders stay (accounting); the other customer and the other store are untouched.
    expect(await db.order.count()).toBe(before);
    const untouched = await db.order.findFirstOrThrow({
      where: { storeId: s.storeId, externalId: "820982911946150000" },
    });
    expect(untouched.customerEmailHash).toBe(hashEmail("other@example.com"));
    expect(await db.visitor.findUnique({ where: { id: s.otherVisitor } })).not.toBeNull();
    expect(await db.event.count({ where: { storeId: s.storeId, url: { not: null } } })).toBe(3);
    const otherStoreJane = await db.order.findFirstOrThrow({
      where: { storeId: other.storeId, externalId: "820982911946154508" },
    });
    expect(otherStoreJane.customerEmailHash).toBe(hashEmail(JANE.email));
    expect(await db.visitor.count({ where: { storeId: other.storeId } })).toBe(2);
    expect(await db.event.count({ where: { storeId: other.storeId, url: null } })).toBe(0);

    // Again: the order and its checkout event are found by id and token, but there is nothing left to remove.
    expect(await redactCustomer(db, s.storeId, janeSelector)).toEqual({
      orders: 1,
      events: 1,
      visitors: 0,
      dataRequests: 0,
    });
    expect(await db.event.count({ where: { storeId: s.storeId, url: null } })).toBe(2);
    expect(await exportCustomerData(db, s.storeId, { emailHash: janeSelector.emailHash })).toEqual({
      orders: [],
      events: [],
      visitors: [],
    });
  });
});

describe("redactInboxDeliveries", () => {
  it("empties the named deliveries of the store only and closes unprocessed ones", async () => {
    const s = await seedStore("inbox-a.myshopify.com");
    const other = await seedStore("inbox-b.myshopify.com");
    const row = (storeId: string, status: string) => ({
      id: newId("wh"),
      storeId,
      source: "shopify",
      topic: "orders/create",
      dedupKey: newId("ev"),
      headers: "{}",
      body: Buffer.from('{"email":"jane@example.com"}'),
      status,
    });
    const done = row(s.storeId, "done");
    const pending = row(s.storeId, "pending");
    const foreign = row(other.storeId, "done");
    await db.webhookInbox.createMany({ data: [done, pending, foreign] });

    expect(await redactInboxDeliveries(db, { storeId: s.storeId }, [done.id, pending.id, foreign.id])).toBe(2);
    const rows = await db.webhookInbox.findMany({
      where: { id: { in: [done.id, pending.id, foreign.id] } },
      orderBy: { id: "asc" },
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(done.id)!.body.byteLength).toBe(0);
    expect(byId.get(pending.id)).toMatchObject({ status: "done", lastError: "redacted before processing" });
    expect(byId.get(pending.id)!.body.byteLength).toBe(0);
    expect(Buffer.from(byId.get(foreign.id)!.body).toString()).toContain("jane@example.com");
  });
});

describe("deleteStoreData", () => {
  it("deletes every row of the store in every table, its sessions and the store, and nothing of another store", async () => {
    const s = await seedStore("gone.myshopify.com");
    const other = await seedStore("kept.myshopify.com");
    for (const { storeId, shop } of [s, other]) {
      const campaignId = newId("cp");
      const creatorId = newId("cr");
      await db.campaign.create({
        data: { id: campaignId, storeId, name: "Launch", goals: "[]", commissionRules: "{}", currency: "USD" },
      });
      await db.creator.create({ data: { id: creatorId, storeId, name: "Ana" } });
      const linkId = newId("ln");
      await db.trackingLink.create({
        data: {
          id: linkId,
          storeId,
          campaignId,
          creatorId,
          code: `ana-${shop}`,
          destinationUrl: "https://shop.example.com/",
        },
      });
      await db.apiKey.create({
        data: { id: newId("ak"), storeId, name: "ci", prefix: `tmk_${shop}`, secretHash: "x" },
      });
      await db.discountCode.create({ data: { id: newId("dc"), storeId, campaignId, creatorId, code: "ANA10" } });
      await db.click.create({
        data: {
          id: newId("tm"),
          storeId,
          linkId,
          campaignId,
          creatorId,
          visitorHash: "h",
          qualification: "qualified",
          occurredAt: AT,
        },
      });
      const conversionId = newId("cv");
      await db.conversion.create({
        data: {
          id: conversionId,
          storeId,
          kind: "purchase",
          sourceKey: "order:1",
          value: 8990n,
          currency: "USD",
          occurredAt: AT,
          status: "attributed",
        },
      });
      await db.attribution.create({
        data: {
          id: newId("at"),
          storeId,
          conversionId,
          campaignId,
          creatorId,
          touchKind: "click",
          touchAt: AT,
          position: 0,
          weightPpm: 1_000_000,
          credit: 8990n,
          model: "last_click",
        },
      });
      const commissionId = newId("cm");
      await db.commission.create({
        data: {
          id: commissionId,
          storeId,
          conversionId,
          campaignId,
          creatorId,
          goal: "purchase",
          status: "pending",
          amount: 899n,
          original: 899n,
          currency: "USD",
          holdUntil: AT,
        },
      });
      await db.commissionAdjustment.create({
        data: { id: newId("ca"), storeId, commissionId, creatorId, amount: -100n, currency: "USD", reason: "refund" },
      });
      await db.budgetEntry.create({
        data: { id: newId("be"), storeId, campaignId, commissionId, kind: "reserve", amount: 899n },
      });
      await db.idempotencyKey.create({
        data: { id: newId("ik"), storeId, key: "k1", requestHash: "h", status: 200, response: "{}" },
      });
      await db.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_x" } });
    }
    const redactDelivery = newId("wh");
    await db.webhookInbox.createMany({
      data: [
        {
          id: redactDelivery,
          storeId: s.storeId,
          source: "shopify",
          topic: "shop/redact",
          dedupKey: newId("e"),
          headers: "{}",
          body: Buffer.from("{}"),
        },
        {
          id: newId("wh"),
          storeId: s.storeId,
          source: "shopify",
          topic: "orders/create",
          dedupKey: newId("e"),
          headers: "{}",
          body: Buffer.from("{}"),
        },
        {
          id: newId("wh"),
          storeId: other.storeId,
          source: "shopify",
          topic: "orders/create",
          dedupKey: newId("e"),
          headers: "{}",
          body: Buffer.from("{}"),
        },
        // Came before the store existed: held under the shop's domain only.
        {
          id: newId("wh"),
          storeId: null,
          shopDomain: s.shop,
          source: "shopify",
          topic: "orders/create",
          dedupKey: newId("e"),
          headers: "{}",
          body: Buffer.from('{"email":"jane@example.com"}'),
        },
      ],
    });
    await recordDataRequest(db, s.storeId, { requestId: "77", selector: janeSelector }, () => {});

    await createOwner(db, s.storeId, "owner@example.com", null);
    await createOwner(db, other.storeId, "owner@other.example.com", null);
    for (const storeId of [s.storeId, other.storeId])
      await enqueueCreatorMail(db, { storeId, creatorId: "cr_x", kind: "welcome", data: {}, dedupKey: "welcome:cr_x" });
    await setMailKind(db, s.storeId, "cr_x", "commission_pending", false);
    const result = await deleteStoreData(db, s.storeId, { keepInboxIds: [redactDelivery] });
    expect(await db.creatorMail.count({ where: { storeId: other.storeId } })).toBe(1);
    expect(await db.ownerAccount.count({ where: { storeId: other.storeId } })).toBe(1);
    expect(result).toEqual({
      adminSessions: 0,
      signInTokens: 0,
      ownerAccounts: 1,
      clickRollupDays: 0,
      clickRollups: 0,
      conversionRollupDays: 0,
      conversionRollups: 0,
      conversionRollupStale: 0,
      payoutItems: 0,
      payouts: 0,
      payoutRuns: 0,
      creatorMails: 1,
      creatorMailSettings: 1,
      creatorPayoutAccounts: 0,
      storePayoutSettings: 0,
      commissionAdjustments: 1,
      commissions: 1,
      budgetEntries: 1,
      attributions: 1,
      conversions: 1,
      orders: 2,
      events: 5,
      visitors: 2,
      clicks: 1,
      discountCodes: 1,
      trackingLinks: 1,
      campaigns: 1,
      creators: 1,
      apiKeys: 1,
      idempotencyKeys: 1,
      dataRequests: 1,
      webhookInbox: 2,
      sessions: 1,
      stores: 1,
    });

    const models = [
      "commissionAdjustment",
      "commission",
      "budgetEntry",
      "attribution",
      "conversion",
      "order",
      "event",
      "visitor",
      "click",
      "discountCode",
      "trackingLink",
      "campaign",
      "creator",
      "apiKey",
      "idempotencyKey",
    ] as const;
    for (const model of models) {
      const delegate = db[model] as unknown as { count(args: { where: { storeId: string } }): Promise<number> };
      expect(await delegate.count({ where: { storeId: s.storeId } }), model).toBe(0);
      expect(await delegate.count({ where: { storeId: other.storeId } }), model).toBeGreaterThan(0);
    }
    expect(await db.store.findUnique({ where: { id: s.storeId } })).toBeNull();
    expect(await db.store.findUnique({ where: { id: other.storeId } })).not.toBeNull();
    expect(await db.session.count({ where: { shop: s.shop } })).toBe(0);
    expect(await db.session.count({ where: { shop: other.shop } })).toBe(1);
    expect((await db.webhookInbox.findMany({ where: { storeId: s.storeId } })).map((r) => r.id)).toEqual([
      redactDelivery,
    ]);
    expect(await db.webhookInbox.count({ where: { storeId: other.storeId } })).toBe(1);
    expect(await db.webhookInbox.count({ where: { shopDomain: s.shop, storeId: null } })).toBe(0);

    // Deleting again finds nothing and fails on nothing.
    const again = await deleteStoreData(db, s.storeId, { shop: s.shop, keepInboxIds: [redactDelivery] });
    expect(Object.values(again).every((n) => n === 0)).toBe(true);
  });
});
