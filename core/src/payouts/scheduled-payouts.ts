import type { Db } from "../db/client.ts";
import { inChunks } from "../db/sql.ts";
import { createPayoutRun } from "./payout-runs.ts";
import { executePayoutRun, type PayoutDeps } from "./payout-sending.ts";
import type { PayoutRunView } from "./payout-views.ts";
import { periodKey as schedulePeriodKey, storesDueForPayoutRun } from "./schedule.ts";

/** Scheduled stores whose run for the current period has not been made yet. */
export async function storesDueForPayout(db: Db, now: Date) {
  const settings = await db.storePayoutSettings.findMany({ where: { schedule: { not: "manual" } } });
  if (settings.length === 0) return [];
  const storeIds = settings.map((s) => s.storeId);
  const [stores, last] = await Promise.all([
    inChunks(storeIds, (ids) =>
      db.store.findMany({ where: { id: { in: ids }, status: "active" }, select: { id: true } }),
    ),
    // The latest run per store (an aggregate _max over DateTime is not read back reliably on SQLite).
    inChunks(storeIds, (ids) =>
      db.payoutRun.findMany({
        where: { storeId: { in: ids } },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        distinct: ["storeId"],
        select: { storeId: true, createdAt: true },
      }),
    ),
  ]);
  const active = new Set(stores.map((s) => s.id));
  const lastRun = new Map(last.map((l) => [l.storeId, l.createdAt]));
  const schedules = settings
    .filter((s) => active.has(s.storeId))
    .map((s) => ({
      storeId: s.storeId,
      schedule: s.schedule as "weekly" | "twice_monthly" | "monthly",
      day: s.payoutDay,
      autoApprove: s.autoApprove,
      lastRunAt: lastRun.get(s.storeId) ?? null,
    }));
  return storesDueForPayoutRun(schedules, now);
}

/**
 * The scheduler's tick: a run for every store that is due (one per period, however many workers tick),
 * sent at once when the store approves automatically.
 */
export async function runScheduledPayouts(db: Db, deps: PayoutDeps): Promise<PayoutRunView[]> {
  const now = deps.now?.() ?? new Date();
  const runs: PayoutRunView[] = [];
  for (const due of await storesDueForPayout(db, now)) {
    let run = await createPayoutRun(db, due.storeId, {
      now,
      trigger: "scheduled",
      periodKey: schedulePeriodKey(due.schedule, now, due.day),
    });
    if (run.status === "approved") run = await executePayoutRun(db, due.storeId, run.id, deps);
    runs.push(run);
  }
  return runs;
}
