import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { runScheduledPayouts, storesDueForPayout } from "./index.ts";
import { ManualPayoutProvider } from "./manual-provider.ts";
import { updatePayoutSettings } from "./payout-settings.ts";
import { seedApproved } from "./testing/seed.ts";

// The scheduler runs a store's payouts on its payout day: a weekly store on its weekday, a monthly store on its
// day of the month (schedule.ts decides; this holds the stored setting to it).

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

const at = (iso: string) => new Date(iso);

describe("the scheduler and the payout day", () => {
  it("makes a weekly store's run on its weekday, once a week", async () => {
    const { db } = database;
    const program = await seedApproved(db, [{ name: "Ada", orders: [50_000] }]);
    const storeId = program.store.id;
    // Fridays (2026-12-04 and 2026-12-11 are Fridays).
    await updatePayoutSettings(db, storeId, { schedule: "weekly", payoutDay: 5 });
    const tick = (iso: string) =>
      runScheduledPayouts(db, { providers: { manual: new ManualPayoutProvider() }, now: () => at(iso) }).then((runs) =>
        runs.filter((r) => r.storeId === storeId).map((r) => r.periodKey),
      );
    expect(await tick("2026-12-04T09:00:00Z")).toEqual(["weekly:2026-12-04"]);
    expect(await tick("2026-12-07T09:00:00Z")).toEqual([]); // Monday: the default day, not this store's.
    expect(await tick("2026-12-10T23:59:00Z")).toEqual([]);
    expect(await tick("2026-12-11T00:30:00Z")).toEqual(["weekly:2026-12-11"]);

    // Monthly on the 15th.
    await updatePayoutSettings(db, storeId, { schedule: "monthly", payoutDay: 15 });
    const due = async (iso: string) => (await storesDueForPayout(db, at(iso))).some((s) => s.storeId === storeId);
    expect(await due("2026-12-14T12:00:00Z")).toBe(false);
    expect(await due("2026-12-15T00:00:00Z")).toBe(true);
    expect(await tick("2026-12-15T06:00:00Z")).toEqual(["monthly:2026-12-15"]);
    expect(await due("2027-01-14T23:00:00Z")).toBe(false);
    expect(await due("2027-01-15T00:00:00Z")).toBe(true);
  });
});
