import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveDueCommissions } from "../conversions/approve-due.ts";
import { toEventRecord } from "../events/event-record.ts";
import { recordEvents } from "../events/record-events.ts";
import { addOrderRefund, ingestOrder, setOrderStatus } from "../orders/ingest-order.ts";
import { createPayoutRun, markPayoutPaid } from "../payouts/index.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { DAY, insertClick } from "../testing/fixtures.ts";
import { closedDays } from "./click-rollup.ts";
import { rollUpConversions } from "./conversion-rollup.ts";
import { overview } from "./overview.ts";
import { type AdminProgram, seedAdminProgram, T0 } from "./test-program.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

const HOUR = 3_600_000;
const T0_DAY = Math.floor(T0.getTime() / DAY);
// Whole UTC days around the test program's orders (T0 is months before the wall clock, so every day is over).
const FROM_DAY = T0_DAY - 5;
const TO_DAY = T0_DAY + 2;
const RANGE = { from: new Date(FROM_DAY * DAY), to: new Date(TO_DAY * DAY) };

/**
 * The Overview as the admin gets it (closed days from the rollup) must equal the Overview counted live: a `now`
 * at the start of the range leaves no day closed. Checked for the whole store and for its campaign.
 */
async function expectRollupMatchesLive(program: AdminProgram) {
  const { db } = database;
  const storeId = program.store.id;
  for (const campaignId of [null, program.campaign.id]) {
    const rolled = await overview(db, storeId, { ...RANGE, campaignId });
    const live = await overview(db, storeId, { ...RANGE, campaignId }, RANGE.from);
    expect(rolled).toEqual(live);
  }
  expect(await db.conversionRollupDay.count({ where: { storeId } })).toBe(TO_DAY - FROM_DAY);
  expect(await db.conversionRollupStale.count({ where: { storeId } })).toBe(0);
  return overview(db, storeId, RANGE);
}

async function staleDays(storeId: string) {
  const rows = await database.db.conversionRollupStale.findMany({ where: { storeId }, select: { day: true } });
  return [...new Set(rows.map((r) => r.day - T0_DAY))].sort((a, b) => a - b);
}

describe("conversion rollup", () => {
  it("rolls every closed day up once, then recomputes only the days that changed", async () => {
    const { db } = database;
    const program = await seedAdminProgram(db);
    const storeId = program.store.id;
    const before = await expectRollupMatchesLive(program);
    expect(before).toMatchObject({ purchases: 2, signUps: 1, money: [{ revenue: 27_000 }] });
    expect(await db.conversionRollup.count({ where: { storeId } })).toBeGreaterThan(0);
    expect(await rollUpConversions(db, storeId, FROM_DAY, TO_DAY)).toEqual([]);

    await addOrderRefund(db, storeId, `1001-${storeId}`, { id: "r-late", amount: 5_000 }, { now: T0 });
    expect(await staleDays(storeId)).toEqual([0]);
    expect(await rollUpConversions(db, storeId, FROM_DAY, TO_DAY)).toEqual([T0_DAY]);
    expect(await rollUpConversions(db, storeId, FROM_DAY, TO_DAY)).toEqual([]);

    // Days apart from each other: computed together, the days between left alone.
    await addOrderRefund(db, storeId, `1002-${storeId}`, { id: "r-late", amount: 1_000 }, { now: T0 });
    const placedAt = new Date(T0.getTime() - 3 * DAY + HOUR);
    await ingestOrder(
      db,
      storeId,
      {
        externalId: `late-${storeId}`,
        status: "confirmed",
        currency: "USD",
        total: 4_000,
        clickIds: [program.clicks.cyClick],
        placedAt,
        sourceUpdatedAt: placedAt,
      },
      { now: T0 },
    );
    expect(await staleDays(storeId)).toEqual([-3, 0]);
    expect(await rollUpConversions(db, storeId, FROM_DAY, TO_DAY)).toEqual([T0_DAY - 3, T0_DAY]);
    expect(await expectRollupMatchesLive(program)).toMatchObject({
      purchases: 3,
      money: [{ revenue: 22_000 - 1_000 + 4_000 }],
    });
  });

  it("shows a refund, a cancellation and late conversions of days already rolled up", async () => {
    const { db } = database;
    const program = await seedAdminProgram(db);
    const storeId = program.store.id;
    await expectRollupMatchesLive(program);

    // Ben's 200.00 order 1001 loses 50.00: his credit and his 10% commission follow.
    await addOrderRefund(db, storeId, `1001-${storeId}`, { id: "r-late", amount: 5_000 }, { now: T0 });
    expect(await staleDays(storeId)).toEqual([0]);
    const refunded = await expectRollupMatchesLive(program);
    expect(refunded.money[0]!.revenue).toBe(22_000);
    expect(refunded.creators.find((c) => c.name === "Ben")).toMatchObject({
      money: [{ revenue: 15_000, commissions: 1_500 }],
    });

    // Ada's order 1002 is cancelled: it no longer counts and its commission is reversed.
    await setOrderStatus(db, storeId, `1002-${storeId}`, "reversed", new Date(T0.getTime() + DAY), { now: T0 });
    expect(await staleDays(storeId)).toEqual([0]);
    const cancelled = await expectRollupMatchesLive(program);
    expect(cancelled).toMatchObject({ purchases: 1, money: [{ revenue: 15_000 }] });
    expect(cancelled.money[0]!.commissions.pending).toBe(1_500 + 200);

    // An order placed two days before T0 arrives late, and so does a sign-up of three days before.
    await ingestOrder(
      db,
      storeId,
      {
        externalId: `late-${storeId}`,
        status: "confirmed",
        currency: "USD",
        total: 4_000,
        clickIds: [program.clicks.adaFirst],
        placedAt: new Date(T0.getTime() - 2 * DAY + HOUR),
        sourceUpdatedAt: new Date(T0.getTime() - 2 * DAY + HOUR),
      },
      { now: T0 },
    );
    await recordEvents(
      db,
      storeId,
      [
        toEventRecord(
          {
            id: `late-su-${storeId}`,
            type: "sign_up",
            visitor_id: `late-visitor-${storeId}`,
            click_ids: [program.clicks.cyClick],
            customer: "late@example.com",
            occurred_at: new Date(T0.getTime() - 3 * DAY).toISOString(),
          },
          "script",
          T0,
        ),
      ],
      T0,
    );
    expect(await staleDays(storeId)).toEqual([-3, -2]);
    const late = await expectRollupMatchesLive(program);
    expect(late).toMatchObject({ purchases: 2, signUps: 2, money: [{ revenue: 19_000 }] });
    expect(late.series.find((d) => d.date === new Date((T0_DAY - 2) * DAY).toISOString().slice(0, 10))).toMatchObject({
      conversions: 1,
      revenue: 4_000,
      commissions: 400,
    });
  });

  it("shows a refund that changes revenue but no commission (an over-budget order)", async () => {
    const { db } = database;
    const program = await seedAdminProgram(db);
    const storeId = program.store.id;
    const { budgetUsed } = await db.campaign.findUniqueOrThrow({ where: { id: program.campaign.id } });
    await db.campaign.update({ where: { id: program.campaign.id }, data: { budgetCap: budgetUsed } });
    const externalId = `over-${storeId}`;
    const placedAt = new Date(T0.getTime() - 2 * DAY + HOUR);
    const order = { externalId, status: "confirmed" as const, currency: "USD", total: 6_000, placedAt };
    const ingested = await ingestOrder(
      db,
      storeId,
      { ...order, clickIds: [program.clicks.adaFirst], sourceUpdatedAt: placedAt },
      { now: T0 },
    );
    expect(ingested.commissions.map((c) => c.status)).toEqual(["over_budget"]);
    expect(await expectRollupMatchesLive(program)).toMatchObject({ purchases: 3, money: [{ revenue: 33_000 }] });

    await addOrderRefund(db, storeId, externalId, { id: "r", amount: 2_000 }, { now: T0 });
    expect(await staleDays(storeId)).toEqual([-2]);
    expect(await expectRollupMatchesLive(program)).toMatchObject({ purchases: 3, money: [{ revenue: 31_000 }] });
  });

  it("shows approvals, payouts and a refund after payout of days already rolled up", async () => {
    const { db } = database;
    const program = await seedAdminProgram(db);
    const storeId = program.store.id;
    const before = await expectRollupMatchesLive(program);
    expect(before.money[0]!.commissions).toMatchObject({ pending: 2_900, approved: 0, paid: 0 });

    await approveDueCommissions(db, new Date(T0.getTime() + 40 * DAY), storeId);
    expect(await staleDays(storeId)).toEqual([-1, 0]);
    const approved = await expectRollupMatchesLive(program);
    expect(approved.money[0]!.commissions).toMatchObject({ pending: 0, approved: 2_900, paid: 0 });

    await db.store.update({ where: { id: storeId }, data: { minimumPayout: 0 } });
    const payAt = new Date(T0.getTime() + 41 * DAY);
    const run = await createPayoutRun(db, storeId, { now: payAt, approve: true });
    expect(run.payouts.length).toBeGreaterThan(0);
    for (const payout of run.payouts) await markPayoutPaid(db, storeId, payout.id, { now: payAt });
    const paid = await expectRollupMatchesLive(program);
    expect(paid.money[0]!.commissions).toMatchObject({ pending: 0, approved: 0, paid: 2_900 });

    // A refund after payout: the paid commission shrinks (the difference is clawed back from the next payout).
    await addOrderRefund(db, storeId, `1001-${storeId}`, { id: "r-after-payout", amount: 10_000 }, { now: payAt });
    const clawedBack = await expectRollupMatchesLive(program);
    expect(clawedBack.money[0]!.revenue).toBe(17_000);
    expect(clawedBack.money[0]!.commissions.paid).toBe(2_900 - 1_000);
  });

  it("rolls up once when several Overviews ask at the same time, and keeps stores apart", async () => {
    const { db } = database;
    const mine = await seedAdminProgram(db);
    const theirs = await seedAdminProgram(db);
    const runs = await Promise.all([1, 2, 3].map(() => overview(db, mine.store.id, RANGE)));
    for (const o of runs) expect(o).toEqual(runs[0]);
    expect(runs[0]).toMatchObject({ purchases: 2, signUps: 1, money: [{ revenue: 27_000 }] });
    await expectRollupMatchesLive(mine);
    await addOrderRefund(db, theirs.store.id, `1001-${theirs.store.id}`, { id: "r", amount: 20_000 }, { now: T0 });
    expect(await staleDays(mine.store.id)).toEqual([]);
    expect((await overview(db, mine.store.id, RANGE)).money[0]!.revenue).toBe(27_000);
    expect((await expectRollupMatchesLive(theirs)).money[0]!.revenue).toBe(7_000);
  });

  it("adds no stale row for changes to today's conversions, which are counted live", async () => {
    const { db } = database;
    const program = await seedAdminProgram(db);
    const storeId = program.store.id;
    const now = new Date();
    const today = Math.floor(now.getTime() / DAY);
    const click = await insertClick(db, program.links[0]!, new Date(now.getTime() - 60_000));
    const order = {
      externalId: `today-${storeId}`,
      status: "confirmed" as const,
      currency: "USD",
      total: 5_000,
      clickIds: [click],
      placedAt: now,
      sourceUpdatedAt: now,
    };
    await ingestOrder(db, storeId, order, { now });
    await addOrderRefund(db, storeId, order.externalId, { id: "r", amount: 1_000 }, { now });
    // (The program's own orders, months ago, did add theirs.)
    expect(await db.conversionRollupStale.count({ where: { storeId, day: { gte: today - 1 } } })).toBe(0);
    const range = { from: new Date((today - 1) * DAY), to: new Date((today + 1) * DAY) };
    expect(await overview(db, storeId, range)).toMatchObject({ purchases: 1, money: [{ revenue: 4_000 }] });
    // Yesterday is rolled up once it has been over for the grace period; today never is.
    expect(await db.conversionRollupDay.findMany({ where: { storeId }, select: { day: true } })).toEqual(
      closedDays(today - 1, today + 1, new Date()).map((day) => ({ day })),
    );
  });
});
