import { z } from "zod";

// Pure: when a store's scheduled payout run is due. Periods are UTC calendar periods: weekly runs start on
// Monday 00:00, twice-monthly runs on the 1st and the 16th, monthly runs on the 1st. A run is due once per
// period: when no run was made since the period began.

export const PAYOUT_SCHEDULES = ["manual", "weekly", "twice_monthly", "monthly"] as const;
export const PayoutScheduleSchema = z.enum(PAYOUT_SCHEDULES);
export type PayoutSchedule = z.infer<typeof PayoutScheduleSchema>;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The start of the schedule period that contains `at`; null for manual runs. */
export function periodStart(schedule: PayoutSchedule, at: Date): Date | null {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const d = at.getUTCDate();
  switch (schedule) {
    case "manual":
      return null;
    case "weekly": {
      const midnight = Date.UTC(y, m, d);
      const sinceMonday = (at.getUTCDay() + 6) % 7;
      return new Date(midnight - sinceMonday * DAY_MS);
    }
    case "twice_monthly":
      return new Date(Date.UTC(y, m, d >= 16 ? 16 : 1));
    case "monthly":
      return new Date(Date.UTC(y, m, 1));
  }
}

/** The start of the period after the one that contains `at`; null for manual runs. */
export function nextPeriodStart(schedule: PayoutSchedule, at: Date): Date | null {
  const start = periodStart(schedule, at);
  if (!start) return null;
  switch (schedule) {
    case "weekly":
      return new Date(start.getTime() + 7 * DAY_MS);
    case "twice_monthly":
      return start.getUTCDate() === 1
        ? new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 16))
        : new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    default:
      return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  }
}

/** Names the period, e.g. "weekly:2026-11-02"; one scheduled run per store and period key. */
export function periodKey(schedule: PayoutSchedule, at: Date): string | null {
  const start = periodStart(schedule, at);
  return start ? `${schedule}:${start.toISOString().slice(0, 10)}` : null;
}

/** A scheduled store is due when it has never had a run, or its last run began before the current period. */
export function isPayoutRunDue(schedule: PayoutSchedule, lastRunAt: Date | null, now: Date): boolean {
  const start = periodStart(schedule, now);
  if (!start) return false;
  return lastRunAt === null || lastRunAt.getTime() < start.getTime();
}

export interface StoreSchedule {
  storeId: string;
  schedule: PayoutSchedule;
  lastRunAt: Date | null;
}

/** The stores whose scheduled run is due at `now`, in input order. */
export function storesDueForPayoutRun<T extends StoreSchedule>(stores: readonly T[], now: Date): T[] {
  return stores.filter((s) => isPayoutRunDue(s.schedule, s.lastRunAt, now));
}
