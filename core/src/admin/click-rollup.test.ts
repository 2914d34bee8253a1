import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCampaign } from "../campaigns/campaign-store.ts";
import { createLink } from "../links/link-store.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { DAY, insertClick, seedProgram } from "../testing/fixtures.ts";
import { clickCounts, closedDays, dayRuns, qualifiedClicksOf, ROLLUP_GRACE_MS, rollUpClicks } from "./click-rollup.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

const D0 = Date.parse("2026-04-01T00:00:00Z");
const day = (n: number) => Math.floor(D0 / DAY) + n;

describe("which days roll up", () => {
  it("takes a day once it ended more than the grace period ago", () => {
    const now = new Date(D0 + 2 * DAY + ROLLUP_GRACE_MS - 1);
    expect(closedDays(day(0), day(3), now)).toEqual([day(0)]);
    expect(closedDays(day(0), day(3), new Date(D0 + 2 * DAY + ROLLUP_GRACE_MS))).toEqual([day(0), day(1)]);
  });

  it("groups days into runs", () => {
    expect(dayRuns([5, 1, 2, 3, 7, 8])).toEqual([
      [1, 3],
      [5, 5],
      [7, 8],
    ]);
  });
});

describe("clickCounts", () => {
  it("counts closed days from the rollup and the open day live, with the same figures as counting live", async () => {
    const { db } = database;
    const { store, links } = await seedProgram(db);
    const [ada, ben] = links as [(typeof links)[0], (typeof links)[0]];
    await insertClick(db, ada, new Date(D0 + 1000));
    await insertClick(db, ada, new Date(D0 + 2000), "repeat");
    await insertClick(db, ben, new Date(D0 + DAY + 1000), "bot");
    await insertClick(db, ben, new Date(D0 + 2 * DAY + 1000));
    const now = new Date(D0 + 2 * DAY + 5 * 3_600_000);
    const range = { from: new Date(D0), to: new Date(D0 + 3 * DAY) };
    const sorted = (rows: { day: number; creatorId: string; qualification: string; clicks: number }[]) =>
      rows
        .map((r) => `${r.day - day(0)}:${r.creatorId === ada.creatorId ? "ada" : "ben"}:${r.qualification}:${r.clicks}`)
        .sort();
    const first = await clickCounts(db, store.id, range, now);
    expect(sorted(first)).toEqual(["0:ada:qualified:1", "0:ada:repeat:1", "1:ben:bot:1", "2:ben:qualified:1"]);
    expect(await db.clickRollupDay.count({ where: { storeId: store.id } })).toBe(2);
    expect(await db.clickRollup.count({ where: { storeId: store.id } })).toBe(3);

    // Today's clicks keep counting; rolled-up days are read, not recounted.
    await insertClick(db, ben, new Date(D0 + 2 * DAY + 2000));
    const second = await clickCounts(db, store.id, range, now);
    expect(sorted(second)).toEqual(["0:ada:qualified:1", "0:ada:repeat:1", "1:ben:bot:1", "2:ben:qualified:2"]);
    expect(await rollUpClicks(db, store.id, day(0), day(3), now)).toEqual([]);

    const spring = await clickCounts(db, store.id, { ...range, campaignId: ada.campaignId }, now);
    expect(spring.reduce((s, r) => s + r.clicks, 0)).toBe(5);
  });

  it("marks days without clicks, rolls up concurrently without double counting, and keeps stores apart", async () => {
    const { db } = database;
    const mine = await seedProgram(db);
    const theirs = await seedProgram(db);
    for (let i = 0; i < 5; i++) await insertClick(db, mine.links[0]!, new Date(D0 + 10 * DAY + i));
    await insertClick(db, theirs.links[0]!, new Date(D0 + 10 * DAY));
    const now = new Date(D0 + 20 * DAY);
    const range = { from: new Date(D0 + 8 * DAY), to: new Date(D0 + 12 * DAY) };
    const runs = await Promise.all([1, 2, 3].map(() => clickCounts(db, mine.store.id, range, now)));
    for (const rows of runs) expect(rows).toEqual([expect.objectContaining({ qualification: "qualified", clicks: 5 })]);
    expect(await db.clickRollupDay.count({ where: { storeId: mine.store.id } })).toBe(4);
    expect(await db.clickRollup.findMany({ where: { storeId: mine.store.id } })).toEqual([
      expect.objectContaining({ clicks: 5, creatorId: mine.creators[0]!.id }),
    ]);
    expect((await clickCounts(db, theirs.store.id, range, now)).map((r) => r.clicks)).toEqual([1]);
  });

  it("counts a range that does not start at midnight live", async () => {
    const { db } = database;
    const { store, links } = await seedProgram(db);
    await insertClick(db, links[0]!, new Date(D0 + 30 * DAY + 3_600_000));
    await insertClick(db, links[0]!, new Date(D0 + 30 * DAY + 7_200_000));
    const rows = await clickCounts(db, store.id, {
      from: new Date(D0 + 30 * DAY + 5_000_000),
      to: new Date(D0 + 31 * DAY),
    });
    expect(rows.map((r) => r.clicks)).toEqual([1]);
    expect(await db.clickRollupDay.count({ where: { storeId: store.id } })).toBe(0);
  });
});

describe("qualifiedClicksOf", () => {
  it("counts a store's qualified clicks per campaign and creator over all time, like a live count", async () => {
    const { db } = database;
    const { store, campaign, links } = await seedProgram(db);
    const [ada, ben] = links as [(typeof links)[0], (typeof links)[0]];
    const autumn = await createCampaign(db, store.id, { name: "Autumn" });
    const adaAutumn = await createLink(db, store.id, {
      campaignId: autumn.id,
      creatorId: ada.creatorId,
      destinationUrl: ada.destinationUrl,
    });
    // Another store's clicks for a creator of the same name never count.
    const other = await seedProgram(db);
    await insertClick(db, other.links[0]!, new Date(D0 + 1000));

    await insertClick(db, ada, new Date(D0 - 40 * DAY));
    await insertClick(db, ada, new Date(D0 + 1000));
    await insertClick(db, ada, new Date(D0 + 2000), "repeat");
    await insertClick(db, adaAutumn, new Date(D0 + DAY + 1000));
    await insertClick(db, ben, new Date(D0 + DAY + 2000), "bot");
    await insertClick(db, ben, new Date(D0 + 2 * DAY + 1000));
    const now = new Date(D0 + 2 * DAY + 5 * 3_600_000);
    const view = (rows: { campaignId: string; creatorId: string; clicks: number }[]) =>
      rows
        .map(
          (r) =>
            `${r.campaignId === campaign.id ? "spring" : "autumn"}:${r.creatorId === ada.creatorId ? "ada" : "ben"}:${r.clicks}`,
        )
        .sort();

    const first = await qualifiedClicksOf(db, store.id, [ada.creatorId, ben.creatorId], now);
    expect(view(first)).toEqual(["autumn:ada:1", "spring:ada:2", "spring:ben:1"]);
    // The closed days are rolled up now; today is still counted live.
    expect(await db.clickRollupDay.count({ where: { storeId: store.id } })).toBe(42);
    await insertClick(db, ben, new Date(D0 + 2 * DAY + 2000));
    expect(view(await qualifiedClicksOf(db, store.id, [ada.creatorId, ben.creatorId], now))).toEqual([
      "autumn:ada:1",
      "spring:ada:2",
      "spring:ben:2",
    ]);
    expect(view(await qualifiedClicksOf(db, store.id, [ben.creatorId], now))).toEqual(["spring:ben:2"]);
    expect(await qualifiedClicksOf(db, store.id, [], now)).toEqual([]);
    expect(await qualifiedClicksOf(db, other.store.id, [ada.creatorId], now)).toEqual([]);
  });
});
