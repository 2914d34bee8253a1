import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateCommissionPlan } from "../campaigns/campaign-store.ts";
import { ingestOrder } from "../orders/ingest-order.ts";
import type { NormalizedOrderInput } from "../orders/normalized-order.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { insertClick, seedProgram } from "../testing/fixtures.ts";
import { approveDueCommissions } from "./approve-due.ts";

// Tiers and bonuses under concurrency (run it on PostgreSQL with DATABASE_URL): 100 orders for one creator
// arrive at once. The campaign pays 10%, 15% from the creator's 50th purchase of the month, and a 100.00 bonus
// at the 60th. Each attribution reads the creator's progress from the ledger with the campaign's row locked,
// so the tier applies from the threshold on exactly (49 commissions at 10%, 51 at 15%) and the bonus is
// recorded once.

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

const T0 = new Date("2026-11-10T12:00:00Z");

describe("tiers and bonuses under 100 concurrent conversions", () => {
  it("applies the tier exactly from the threshold on and pays the bonus exactly once", async () => {
    const { db } = database;
    const { store, campaign, links, creators } = await seedProgram(db, {
      campaign: { holdingDays: 30, commissionRules: { purchase: { type: "percentage", basisPoints: 1000 } } },
      creators: [{ name: "Ada" }],
    });
    await updateCommissionPlan(db, store.id, campaign.id, {
      tiers: { metric: "conversions", period: "month", steps: [{ threshold: 50, basisPoints: 1500 }] },
      bonuses: [{ key: "sixty", metric: "conversions", period: "month", threshold: 60, amount: 10_000 }],
    });
    const click = await insertClick(db, links[0]!, new Date(T0.getTime() - 3_600_000));
    const orders: NormalizedOrderInput[] = Array.from({ length: 100 }, (_, i) => ({
      externalId: `tier-${i}`,
      status: "confirmed",
      currency: "USD",
      total: 10_000,
      clickIds: [click],
      placedAt: new Date(T0.getTime() + i * 1000),
      sourceUpdatedAt: new Date(T0.getTime() + i * 1000),
    }));
    const results = await Promise.allSettled(orders.map((o) => ingestOrder(db, store.id, o, { now: T0 })));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);

    const purchases = await db.commission.findMany({ where: { campaignId: campaign.id, goal: "purchase" } });
    expect(purchases).toHaveLength(100);
    expect(purchases.every((c) => c.status === "pending" && c.creatorId === creators[0]!.id)).toBe(true);
    const byTier = (tier: number) => purchases.filter((c) => c.tier === tier);
    expect(byTier(0)).toHaveLength(49);
    expect(byTier(1)).toHaveLength(51);
    // Each commission's amount is its tier's rate on the 100.00 order.
    expect(new Set(byTier(0).map((c) => Number(c.original)))).toEqual(new Set([1000]));
    expect(new Set(byTier(1).map((c) => Number(c.original)))).toEqual(new Set([1500]));

    const bonuses = await db.commission.findMany({ where: { campaignId: campaign.id, goal: "bonus" } });
    expect(bonuses).toHaveLength(1);
    expect(bonuses[0]).toMatchObject({ creatorId: creators[0]!.id, status: "pending", reason: "bonus sixty" });
    expect(Number(bonuses[0]!.amount)).toBe(10_000);
    const bonusConversions = await db.conversion.findMany({ where: { storeId: store.id, kind: "bonus" } });
    expect(bonusConversions.map((c) => c.sourceKey)).toEqual([`bonus:${campaign.id}:${creators[0]!.id}:sixty:2026-11`]);
    // The budget holds every commission and the bonus, once.
    const used = await db.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    expect(Number(used.budgetUsed)).toBe(49 * 1000 + 51 * 1500 + 10_000);

    // A replay of every order changes nothing: no new tier, no second bonus.
    await Promise.all(orders.map((o) => ingestOrder(db, store.id, o, { now: T0 })));
    expect(await db.commission.count({ where: { campaignId: campaign.id } })).toBe(101);

    // After the holding period the bonus is approved like any commission, ready for the next payout.
    await approveDueCommissions(db, new Date(T0.getTime() + 31 * 86_400_000), store.id);
    const approved = await db.commission.findUniqueOrThrow({ where: { id: bonuses[0]!.id } });
    expect(approved.status).toBe("approved");
    expect(Number(approved.amount)).toBe(10_000);
  }, 180_000);

  it("counts sales towards a tier by the creator's credited items base, product rates still applying by line", async () => {
    const { db } = database;
    const { store, campaign, links } = await seedProgram(db, {
      campaign: { commissionRules: { purchase: { type: "percentage", basisPoints: 1000 } } },
      creators: [{ name: "Ben" }],
    });
    await updateCommissionPlan(db, store.id, campaign.id, {
      productRules: [{ target: "product", id: "gift-box", rate: { type: "excluded" } }],
      tiers: { metric: "sales", period: "campaign", steps: [{ threshold: 25_000, basisPoints: 2000 }] },
      bonuses: [{ key: "first", metric: "conversions", period: "campaign", threshold: 1, amount: 500 }],
    });
    const click = await insertClick(db, links[0]!, new Date(T0.getTime() - 3_600_000));
    const originals: number[] = [];
    const tiers: number[] = [];
    for (let i = 0; i < 4; i++) {
      // 100.00 of tea and a 20.00 gift box that never earns: 120.00 of sales each.
      const result = await ingestOrder(
        db,
        store.id,
        {
          externalId: `sales-${i}`,
          status: "confirmed",
          currency: "USD",
          total: 12_000,
          clickIds: [click],
          lines: [
            { id: "tea", productId: "tea", quantity: 1, unitPrice: 10_000, amount: 10_000 },
            { id: "box", productId: "gift-box", quantity: 1, unitPrice: 2_000, amount: 2_000 },
          ],
          placedAt: new Date(T0.getTime() + i * 1000),
          sourceUpdatedAt: new Date(T0.getTime() + i * 1000),
        },
        { now: T0 },
      );
      const row = await db.commission.findFirstOrThrow({ where: { conversionId: result.conversionId } });
      originals.push(Number(row.original));
      tiers.push(row.tier);
    }
    // Sales after each order: 120, 240, 360, 480: the third reaches 250.00 and earns 20% on the tea.
    expect(tiers).toEqual([0, 0, 1, 1]);
    expect(originals).toEqual([1000, 1000, 2000, 2000]);
    const bonus = await db.commission.findMany({ where: { campaignId: campaign.id, goal: "bonus" } });
    expect(bonus.map((b) => Number(b.amount))).toEqual([500]);
  });
});
