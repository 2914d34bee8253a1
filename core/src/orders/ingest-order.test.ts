import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCampaign } from "../campaigns/campaign-store.ts";
import { approveDueCommissions } from "../conversions/approve-due.ts";
import { createLink } from "../links/link-store.ts";
import { hashEmail } from "../shared/hashing.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { createDiscountCode, DAY, insertClick, seedProgram } from "../testing/fixtures.ts";
import { addOrderRefund, ingestOrder, ingestOrders, setOrderStatus } from "./ingest-order.ts";
import type { NormalizedOrderInput } from "./normalized-order.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

const T0 = new Date("2026-11-01T12:00:00Z");

function order(overrides: Partial<NormalizedOrderInput> = {}): NormalizedOrderInput {
  return {
    externalId: `o-${Math.random().toString(36).slice(2)}`,
    status: "pending",
    currency: "USD",
    total: 10_000,
    placedAt: T0,
    sourceUpdatedAt: T0,
    ...overrides,
  };
}

describe("ingestOrder", () => {
  it("credits the creator whose click id the order carries with a pending commission", async () => {
    const { db } = database;
    const { store, links, creators } = await seedProgram(db);
    const click = await insertClick(db, links[0]!, new Date(T0.getTime() - DAY));
    const result = await ingestOrder(db, store.id, order({ clickIds: [click] }), { now: T0 });
    expect(result.outcome).toBe("created");
    expect(result.status).toBe("attributed");
    expect(result.commissions).toEqual([
      expect.objectContaining({ creatorId: creators[0]!.id, status: "pending", amount: 1000, currency: "USD" }),
    ]);
  });

  it("leaves an order with no touch unattributed and creates no commission", async () => {
    const { db } = database;
    const { store } = await seedProgram(db);
    const result = await ingestOrder(db, store.id, order(), { now: T0 });
    expect(result.status).toBe("unattributed");
    expect(result.commissions).toEqual([]);
  });

  it("rejects a clear, bad order with a 400-style error naming the field", async () => {
    const { db } = database;
    const { store } = await seedProgram(db);
    await expect(ingestOrder(db, store.id, order({ total: -5 }))).rejects.toMatchObject({
      code: "invalid",
      message: /total/,
    });
  });

  it("moves the commission through paid, the holding period, a partial refund and a cancellation", async () => {
    const { db } = database;
    const { store, links, campaign } = await seedProgram(db, { campaign: { holdingDays: 30, budgetCap: 100_000 } });
    const click = await insertClick(db, links[0]!, T0);
    const base = order({ clickIds: [click], placedAt: new Date(T0.getTime() + 1000) });
    await ingestOrder(db, store.id, base, { now: T0 });
    // Every step passes its own clock: on the real one the 30-day hold would already be over.
    const paid = await ingestOrder(
      db,
      store.id,
      { ...base, status: "confirmed", sourceUpdatedAt: new Date(T0.getTime() + 2000) },
      { now: new Date(T0.getTime() + 2000) },
    );
    expect(paid.commissions[0]).toMatchObject({ status: "pending", amount: 1000 });
    expect(await approveDueCommissions(db, new Date(T0.getTime() + 31 * DAY), store.id)).toBe(1);
    const refunded = await addOrderRefund(
      db,
      store.id,
      base.externalId!,
      { id: "r1", amount: 2500 },
      { now: new Date(T0.getTime() + 32 * DAY) },
    );
    expect(refunded?.commissions[0]).toMatchObject({ status: "approved", amount: 750 });
    const cancelled = await setOrderStatus(db, store.id, base.externalId!, "reversed", new Date(T0.getTime() + 3000), {
      now: new Date(T0.getTime() + 33 * DAY),
    });
    expect(cancelled?.commissions[0]).toMatchObject({ status: "reversed", amount: 0 });
    const used = await db.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    expect(Number(used.budgetUsed)).toBe(0);
  });

  it("reaches the same result whatever order the deliveries arrive in", async () => {
    const { db } = database;
    const { store, links } = await seedProgram(db);
    const click = await insertClick(db, links[0]!, T0);
    const placed = new Date(T0.getTime() + 1000);
    const changes: Partial<NormalizedOrderInput>[] = [
      { status: "pending", sourceUpdatedAt: new Date(T0.getTime() + 1000) },
      { status: "confirmed", sourceUpdatedAt: new Date(T0.getTime() + 2000) },
      { status: "confirmed", refunds: [{ id: "r1", amount: 4000 }], sourceUpdatedAt: new Date(T0.getTime() + 3000) },
    ];
    const snapshots: NormalizedOrderInput[] = changes.map((s) =>
      order({ externalId: "same", clickIds: [click], placedAt: placed, ...s }),
    );
    const results = [];
    for (const permutation of [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
      [2, 0, 1],
    ]) {
      const { store: other } = await seedProgram(db);
      // Each permutation runs against its own store with its own click.
      const l = await db.trackingLink.findFirstOrThrow({ where: { storeId: other.id } });
      const c = await insertClick(db, l, T0);
      let last: Awaited<ReturnType<typeof ingestOrder>> | undefined;
      for (const i of permutation)
        last = await ingestOrder(db, other.id, { ...snapshots[i]!, clickIds: [c] }, { now: T0 });
      results.push({ status: last!.commissions[0]!.status, amount: last!.commissions[0]!.amount });
    }
    void store;
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(results[0]).toEqual({ status: "pending", amount: 600 });
  });

  it("records one order, one attribution and one commission for 50 concurrent identical submissions", async () => {
    const { db } = database;
    const { store, links } = await seedProgram(db);
    const click = await insertClick(db, links[0]!, T0);
    const same = order({ externalId: "race", clickIds: [click], placedAt: new Date(T0.getTime() + 1000) });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => ingestOrder(db, store.id, same, { now: T0 })),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(await db.order.count({ where: { storeId: store.id } })).toBe(1);
    expect(await db.conversion.count({ where: { storeId: store.id } })).toBe(1);
    expect(await db.attribution.count({ where: { storeId: store.id } })).toBe(1);
    expect(await db.commission.count({ where: { storeId: store.id } })).toBe(1);
    expect(await db.budgetEntry.count({ where: { storeId: store.id } })).toBe(1);
  });

  it("never takes a campaign past its budget cap under concurrent conversions", async () => {
    const { db } = database;
    const { store, links, campaign } = await seedProgram(db, { campaign: { budgetCap: 5_000 } });
    const orders = await Promise.all(
      Array.from({ length: 12 }, async (_, i) =>
        order({
          externalId: `cap-${i}`,
          clickIds: [await insertClick(db, links[i % 2]!, T0)],
          placedAt: new Date(T0.getTime() + 1000),
        }),
      ),
    );
    await Promise.all(orders.map((o) => ingestOrder(db, store.id, o, { now: T0 })));
    const commissions = await db.commission.findMany({ where: { campaignId: campaign.id } });
    const pending = commissions.filter((c) => c.status === "pending");
    expect(pending).toHaveLength(5);
    expect(commissions.filter((c) => c.status === "over_budget")).toHaveLength(7);
    const used = await db.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    expect(Number(used.budgetUsed)).toBe(5_000);
    const ledger = await db.budgetEntry.findMany({ where: { campaignId: campaign.id } });
    expect(ledger.reduce((s, e) => s + Number(e.amount), 0)).toBe(5_000);
  });

  it("takes concurrent batches across several campaigns without deadlocking", async () => {
    const { db } = database;
    const { store, links } = await seedProgram(db, { campaign: { budgetCap: 1_000_000 } });
    const other = await createCampaign(db, store.id, { name: "Other", budgetCap: 1_000_000 });
    const otherLink = await createLink(db, store.id, {
      campaignId: other.id,
      creatorId: links[0]!.creatorId,
      destinationUrl: `https://${store.domain}/x`,
    });
    const batches = await Promise.all(
      [0, 1, 2, 3].map(async (b) =>
        Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            // Alternate which campaign comes first in each batch.
            const link = (i + b) % 2 === 0 ? links[0]! : otherLink;
            return order({
              externalId: `dl-${b}-${i}`,
              clickIds: [await insertClick(db, link, T0)],
              placedAt: new Date(T0.getTime() + 1000),
            });
          }),
        ),
      ),
    );
    const results = await Promise.allSettled(batches.map((batch) => ingestOrders(db, store.id, batch, { now: T0 })));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(await db.commission.count({ where: { storeId: store.id } })).toBe(80);
  });

  it("credits a creator's discount code as a touch at order time", async () => {
    const { db } = database;
    const { store, campaign, creators, links } = await seedProgram(db);
    await createDiscountCode(db, store.id, { campaignId: campaign.id, creatorId: creators[1]!.id, code: "ben10" });
    const click = await insertClick(db, links[0]!, T0);
    const result = await ingestOrder(
      db,
      store.id,
      order({ clickIds: [click], discountCodes: ["BEN10"], placedAt: new Date(T0.getTime() + DAY) }),
    );
    // Last click: the code, entered at checkout, is the latest touch.
    expect(result.commissions.map((c) => c.creatorId)).toEqual([creators[1]!.id]);
  });

  it("splits credit between creators under a linear campaign", async () => {
    const { db } = database;
    const { store, links, creators } = await seedProgram(db, { campaign: { attributionModel: "linear" } });
    const a = await insertClick(db, links[0]!, T0);
    const b = await insertClick(db, links[1]!, new Date(T0.getTime() + 1000));
    const result = await ingestOrder(
      db,
      store.id,
      order({ total: 10_001, clickIds: [a, b], placedAt: new Date(T0.getTime() + DAY) }),
    );
    const byCreator = Object.fromEntries(result.commissions.map((c) => [c.creatorId, c.amount]));
    expect(byCreator[creators[0]!.id]! + byCreator[creators[1]!.id]!).toBe(1000);
    const credits = await db.attribution.findMany({ where: { conversionId: result.conversionId } });
    expect(credits.reduce((s, c) => s + Number(c.credit), 0)).toBe(10_001);
  });

  it("rejects self-referral, test orders, small orders and clicks outside the lookback with the rule's reason", async () => {
    const { db } = database;
    const { store, links } = await seedProgram(db, {
      campaign: { minOrderValue: 2_000, lookbackDays: 7 },
      creators: [{ name: "Self", email: "self@example.com" }],
    });
    const near = new Date(T0.getTime() - DAY);
    const cases: [Partial<NormalizedOrderInput>, Date, string][] = [
      [{ customerEmailHash: hashEmail(" SELF@example.com ") }, near, "self_referral"],
      [{ isTest: true }, near, "test_order"],
      [{ total: 1_999 }, near, "below_minimum_order"],
      [{}, new Date(T0.getTime() - 8 * DAY), "outside_lookback"],
    ];
    for (const [fields, clickAt, rule] of cases) {
      const click = await insertClick(db, links[0]!, clickAt);
      const result = await ingestOrder(db, store.id, order({ clickIds: [click], ...fields }));
      expect(result.status, rule).toBe("rejected");
      const conversion = await db.conversion.findUniqueOrThrow({ where: { id: result.conversionId } });
      const recorded = result.commissions[0]?.rule ?? conversion.rejectRule;
      expect(recorded).toBe(rule);
      expect(result.commissions.every((c) => c.status === "rejected")).toBe(true);
    }
  });

  it("ignores a bot click as a touch and names the rule", async () => {
    const { db } = database;
    const { store, links } = await seedProgram(db);
    const click = await insertClick(db, links[0]!, T0, "bot");
    const result = await ingestOrder(
      db,
      store.id,
      order({ clickIds: [click], placedAt: new Date(T0.getTime() + 1000) }),
    );
    expect(result.status).toBe("rejected");
    const conversion = await db.conversion.findUniqueOrThrow({ where: { id: result.conversionId } });
    expect(conversion.rejectRule).toBe("bot_click");
  });

  it("records a negative adjustment when a paid commission's order is refunded", async () => {
    const { db } = database;
    const { store, links } = await seedProgram(db, { campaign: { holdingDays: 0 } });
    const click = await insertClick(db, links[0]!, T0);
    const o = order({ status: "confirmed", clickIds: [click], placedAt: new Date(T0.getTime() + 1000) });
    const first = await ingestOrder(db, store.id, o, { now: new Date(T0.getTime() + 2000) });
    expect(first.commissions[0]).toMatchObject({ status: "approved", amount: 1000 });
    await db.commission.update({
      where: { id: first.commissions[0]!.id },
      data: { status: "paid", paidAmount: 1000, paidAt: new Date() },
    });
    await addOrderRefund(db, store.id, o.externalId!, { id: "r9", amount: 5000 });
    await addOrderRefund(db, store.id, o.externalId!, { id: "r9", amount: 5000 });
    const adjustments = await db.commissionAdjustment.findMany({ where: { commissionId: first.commissions[0]!.id } });
    expect(adjustments.map((a) => Number(a.amount))).toEqual([-500]);
  });

  it("never reads another store's clicks, even with the click id", async () => {
    const { db } = database;
    const a = await seedProgram(db);
    const b = await seedProgram(db);
    const click = await insertClick(db, a.links[0]!, T0);
    const result = await ingestOrder(
      db,
      b.store.id,
      order({ clickIds: [click], placedAt: new Date(T0.getTime() + 1000) }),
    );
    expect(result.status).toBe("unattributed");
  });
});
