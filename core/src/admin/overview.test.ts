import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { DAY } from "../testing/fixtures.ts";
import { overview } from "./overview.ts";
import { type AdminProgram, seedAdminProgram, T0 } from "./test-program.ts";

let database: TestDatabase;
let program: AdminProgram;
let other: AdminProgram;
beforeAll(async () => {
  database = await createTestDatabase();
  program = await seedAdminProgram(database.db);
  other = await seedAdminProgram(database.db);
});
afterAll(async () => {
  await database.destroy();
});

const RANGE = { from: new Date(T0.getTime() - 5 * DAY), to: new Date(T0.getTime() + DAY) };

describe("overview", () => {
  it("counts raw and qualified clicks, attributed sign-ups and purchases, and revenue net of refunds", async () => {
    const o = await overview(database.db, program.store.id, RANGE);
    expect(o.currency).toBe("USD");
    expect(o.clicks).toEqual({ raw: 8, qualified: 6, repeat: 1, bot: 1 });
    // 1001 and 1002; the cancelled 1003, the rejected test order and the unreferred order do not count.
    expect(o.purchases).toBe(2);
    expect(o.signUps).toBe(1);
    expect(o.conversionRate).toBeCloseTo(3 / 6);
    // Ben 200.00 for 1001, Ada 100.00 - 30.00 refunded for 1002.
    expect(o.money[0]!.revenue).toBe(27_000);
    expect(o.money.map((m) => m.currency)).toEqual(["USD"]);
  });

  it("sums commissions by status and computes return on spend over pending + approved + paid", async () => {
    const o = await overview(database.db, program.store.id, RANGE);
    expect(o.money[0]!.commissions.pending).toBe(2_000 + 700 + 200);
    expect(o.money[0]!.commissions.approved).toBe(0);
    expect(o.money[0]!.commissions.paid).toBe(0);
    expect(o.money[0]!.commissions.rejected).toBe(1_000);
    // Original minus current: 3.00 of 1002's 10.00 (refunded 30%) and all of the cancelled 1003's 10.00.
    expect(o.money[0]!.commissions.reversed).toBe(300 + 1_000);
    expect(o.money[0]!.spend).toBe(2_900);
    expect(o.money[0]!.returnOnSpend).toBeCloseTo(27_000 / 2_900);
  });

  it("ranks creators by attributed revenue", async () => {
    const o = await overview(database.db, program.store.id, RANGE);
    expect(
      o.creators.map((c) => [
        c.name,
        c.money[0]!.revenue,
        c.purchases,
        c.signUps,
        c.qualifiedClicks,
        c.money[0]!.commissions,
      ]),
    ).toEqual([
      ["Ben", 20_000, 1, 0, 2, 2_000],
      ["Ada", 7_000, 1, 1, 3, 900],
      ["Cy", 0, 0, 0, 1, 0],
    ]);
  });

  it("draws one point per UTC day with clicks, conversions, revenue and commissions", async () => {
    const o = await overview(database.db, program.store.id, RANGE);
    expect(o.series).toHaveLength(6);
    expect(o.series[0]!.date).toBe("2026-03-05");
    expect(o.series.at(-1)!.date).toBe("2026-03-10");
    const sum = (k: "rawClicks" | "qualifiedClicks" | "conversions" | "revenue" | "commissions") =>
      o.series.reduce((s, d) => s + d[k], 0);
    expect(sum("rawClicks")).toBe(8);
    expect(sum("qualifiedClicks")).toBe(6);
    expect(sum("conversions")).toBe(3);
    expect(sum("revenue")).toBe(27_000);
    expect(sum("commissions")).toBe(2_900);
    const t0 = o.series.find((d) => d.date === "2026-03-10")!;
    expect(t0).toMatchObject({ conversions: 2, revenue: 27_000, commissions: 2_700 });
  });

  it("narrows to one campaign and to the date range", async () => {
    const { db } = database;
    const { createCampaign } = await import("../campaigns/campaign-store.ts");
    const empty = await createCampaign(db, program.store.id, { name: "Empty" });
    const none = await overview(db, program.store.id, { ...RANGE, campaignId: empty.id });
    expect(none).toMatchObject({ purchases: 0, signUps: 0, money: [{ revenue: 0 }], clicks: { raw: 0 } });
    const spring = await overview(db, program.store.id, { ...RANGE, campaignId: program.campaign.id });
    expect(spring).toMatchObject({ purchases: 2, money: [{ revenue: 27_000 }] });
    const later = await overview(db, program.store.id, {
      from: new Date(T0.getTime() + DAY),
      to: new Date(T0.getTime() + 3 * DAY),
    });
    expect(later).toMatchObject({ purchases: 0, clicks: { raw: 0 }, money: [{ revenue: 0, returnOnSpend: null }] });
  });

  it("never counts another store's data and refuses another store's campaign", async () => {
    const { db } = database;
    const mine = await overview(db, program.store.id, RANGE);
    const theirs = await overview(db, other.store.id, RANGE);
    expect(theirs.clicks).toEqual(mine.clicks);
    expect(theirs.money[0]!.revenue).toBe(mine.money[0]!.revenue);
    await expect(overview(db, program.store.id, { ...RANGE, campaignId: other.campaign.id })).rejects.toMatchObject({
      code: "not_found",
    });
  });
});
