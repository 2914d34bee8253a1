import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rollUpConversions } from "../admin/conversion-rollup.ts";
import { DAY_MS } from "../db/day-number.ts";
import { addOrderRefund } from "../orders/ingest-order.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { insertClick } from "../testing/fixtures.ts";
import { type ActivityDay, creatorActivity } from "./portal-activity.ts";
import { seedPortalScenario } from "./portal-scenario.ts";

// The overview's chart: closed days from the admin's rollups, today counted live, and a closed day changed
// since its rollup counted live for the creator (the rollup is left for the admin to redo), with the same
// figures either way.

let database: TestDatabase;
let scenario: Awaited<ReturnType<typeof seedPortalScenario>>;

beforeAll(async () => {
  database = await createTestDatabase();
  scenario = await seedPortalScenario(database.db);
});

afterAll(async () => {
  await database?.destroy();
});

const totals = (days: ActivityDay[]) => ({
  clicks: days.reduce((s, d) => s + d.clicks, 0),
  conversions: days.reduce((s, d) => s + d.conversions, 0),
  usd: days.reduce((s, d) => s + (d.earnings.USD ?? 0), 0),
});

describe("a creator's daily activity", () => {
  it("counts the creator's own clicks, conversions and earnings per day, today included", async () => {
    const { db } = database;
    const ada = { storeId: scenario.alpine.id, creatorId: scenario.ada[0]!.id };
    const days = await creatorActivity(db, ada, 30, new Date());
    expect(days).toHaveLength(30);
    expect(days.at(-1)!.day).toBe(Math.floor(Date.now() / DAY_MS));
    // Four qualified clicks; #1001, #1004 and #1005 count (the test order is rejected, #1003 was cancelled);
    // 2.50 + 3.00 + 30.00 earned.
    expect(totals(days)).toEqual({ clicks: 4, conversions: 3, usd: 3550 });
    expect(await db.conversionRollupDay.count({ where: { storeId: ada.storeId } })).toBeGreaterThan(0);
    // Ben's clicks and commissions at the same store are not Ada's.
    expect(
      totals(
        await creatorActivity(db, { storeId: scenario.alpine.id, creatorId: scenario.ben[0]!.id }, 30, new Date()),
      ),
    ).toEqual({
      clicks: 1,
      conversions: 1,
      usd: 7777,
    });

    await insertClick(db, scenario.links.adaLinkA, new Date());
    expect(totals(await creatorActivity(db, ada, 30, new Date())).clicks).toBe(5);
  });

  it("counts a day changed since its rollup live, with the figures the rollup gives once redone", async () => {
    const { db } = database;
    const ada = { storeId: scenario.alpine.id, creatorId: scenario.ada[0]!.id };
    // #1005 refunded in full after the rollup: its day is marked stale by the order path itself.
    await addOrderRefund(db, scenario.alpine.id, "9005", { id: "r-5", amount: 30_000 });
    const stale = await db.conversionRollupStale.count({ where: { storeId: ada.storeId } });
    expect(stale).toBeGreaterThan(0);
    const live = await creatorActivity(db, ada, 30, new Date());
    // A purchase refunded in full no longer counts as a conversion, as on every other surface (metrics/).
    expect(totals(live)).toMatchObject({ conversions: 2, usd: 550 });
    // The portal left the rollup to the admin: the stale rows are still there.
    expect(await db.conversionRollupStale.count({ where: { storeId: ada.storeId } })).toBe(stale);

    const today = Math.floor(Date.now() / DAY_MS);
    await rollUpConversions(db, ada.storeId, today - 29, today, new Date());
    expect(await db.conversionRollupStale.count({ where: { storeId: ada.storeId } })).toBe(0);
    const rolled = await creatorActivity(db, ada, 30, new Date());
    expect(rolled.map((d) => [d.day, d.conversions, d.earnings])).toEqual(
      live.map((d) => [d.day, d.conversions, d.earnings]),
    );
  });
});
