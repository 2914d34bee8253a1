import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveDueCommissions } from "../conversions/approve-due.ts";
import { budgetOfCampaign } from "../payouts/budget-view.ts";
import { campaignReport } from "../reports/campaign-report.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { createDiscountCode, insertClick, seedProgram } from "../testing/fixtures.ts";
import { addOrderRefund, ingestOrder } from "./ingest-order.ts";

// An order's money through storage: it never crosses currencies (a flat rule is an amount in the campaign's
// currency and is never paid in another; a campaign's budget counts only its own currency; reports give each
// currency its own figures), and its commission is computed once and split so that the parts add up.

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

const T0 = new Date("2026-11-01T12:00:00Z");

async function program(commission: { type: "flat"; amount: number } | { type: "percentage"; basisPoints: number }) {
  const seeded = await seedProgram(database.db, {
    campaign: { commissionRules: { purchase: commission }, holdingDays: 0 },
    creators: [{ name: "Ada" }],
  });
  await createDiscountCode(database.db, seeded.store.id, {
    campaignId: seeded.campaign.id,
    creatorId: seeded.creators[0]!.id,
    code: "ADA",
  });
  return seeded;
}

const order = (id: string, currency: string, total: number) => ({
  externalId: id,
  status: "confirmed" as const,
  currency,
  total,
  discountCodes: ["ADA"],
  placedAt: T0,
  sourceUpdatedAt: T0,
});

describe("currencies", () => {
  it("rejects a 5.00 USD flat commission on orders in JPY and KWD by name instead of paying ¥500 or 0.500 KWD", async () => {
    const { db } = database;
    const { store } = await program({ type: "flat", amount: 500 });
    const usd = await ingestOrder(db, store.id, order("flat-usd", "USD", 2000), { now: T0 });
    expect(usd.commissions).toEqual([expect.objectContaining({ amount: 500, currency: "USD", status: "approved" })]);
    for (const [id, currency, total] of [
      ["flat-jpy", "JPY", 2000],
      ["flat-kwd", "KWD", 20_000],
    ] as const) {
      const result = await ingestOrder(db, store.id, order(id, currency, total), { now: T0 });
      expect(result.status).toBe("rejected");
      expect(result.commissions).toEqual([
        expect.objectContaining({ status: "rejected", amount: 0, rule: "currency_mismatch" }),
      ]);
    }
    await approveDueCommissions(db, T0, store.id);
    const paid = await db.commission.findMany({ where: { storeId: store.id, status: { not: "rejected" } } });
    expect(paid.map((c) => [c.currency, Number(c.amount)])).toEqual([["USD", 500]]);
  });

  it("counts only commissions in the campaign's currency against an uncapped campaign's budget", async () => {
    const { db } = database;
    const { store, campaign } = await program({ type: "percentage", basisPoints: 1000 });
    await ingestOrder(db, store.id, order("pct-usd", "USD", 10_000), { now: T0 });
    await ingestOrder(db, store.id, order("pct-jpy", "JPY", 10_000), { now: T0 });
    await ingestOrder(db, store.id, order("pct-kwd", "KWD", 10_000), { now: T0 });
    // Foreign-currency commissions are paid in their own currency …
    const commissions = await db.commission.findMany({ where: { storeId: store.id }, orderBy: { currency: "asc" } });
    expect(commissions.map((c) => [c.currency, Number(c.amount)])).toEqual([
      ["JPY", 1000],
      ["KWD", 1000],
      ["USD", 1000],
    ]);
    // … but the USD budget holds only the 10.00 USD.
    expect((await budgetOfCampaign(db, store.id, campaign.id)).budgetUsed).toBe(1000);
    // A refund of the JPY order leaves it alone too.
    await addOrderRefund(db, store.id, "pct-jpy", { id: "r-1", amount: 5000 }, { now: T0 });
    const budget = await budgetOfCampaign(db, store.id, campaign.id);
    expect(budget.budgetUsed).toBe(1000);
    expect(budget.used).toBe(1000);

    // The report gives each currency its own revenue and commissions.
    const report = await campaignReport(db, store.id, campaign.id);
    expect(report.totals.money.map((m) => [m.currency, m.revenue, m.commissions.approved])).toEqual([
      ["USD", 10_000, 1000],
      ["JPY", 5000, 500],
      ["KWD", 10_000, 1000],
    ]);
    expect(report.totals.money[0]!.returnOnSpend).toBe(10);
  });
});

describe("an order's commission split between creators", () => {
  it("adds up to the order's commission computed once, and a commission of 0.00 is settled at once", async () => {
    const { db } = database;
    const seeded = await seedProgram(db, {
      campaign: {
        attributionModel: "linear",
        commissionRules: { purchase: { type: "percentage", basisPoints: 1234 } },
        holdingDays: 30,
      },
      creators: [{ name: "Ada" }, { name: "Ben" }, { name: "Cy" }],
    });
    const clicks = [];
    for (const [i, link] of seeded.links.entries())
      clicks.push(await insertClick(db, link, new Date(T0.getTime() - (3 - i) * 3_600_000)));
    const result = await ingestOrder(
      db,
      seeded.store.id,
      { ...order("split-1", "USD", 10_005), clickIds: clicks },
      {
        now: T0,
      },
    );
    // 12.34% of 100.05 is 12.35 (12.3462), not 3 × 4.12 = 12.36.
    expect(result.commissions.map((c) => c.amount).sort()).toEqual([411, 412, 412]);
    expect(result.commissions.reduce((s, c) => s + c.amount, 0)).toBe(1235);

    // Nothing to pay: approved at once rather than pending for ever.
    const zero = await ingestOrder(
      db,
      seeded.store.id,
      { ...order("split-0", "USD", 0), clickIds: clicks },
      { now: T0 },
    );
    expect(zero.commissions.map((c) => [c.amount, c.status])).toEqual([
      [0, "approved"],
      [0, "approved"],
      [0, "approved"],
    ]);
  });
});
