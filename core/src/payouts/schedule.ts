import { z } from "zod";

// Pure: when a store's scheduled payout run is due. Periods are UTC calendar periods starting on the store's
// payout day: weekly runs on a weekday (1 = Monday … 7 = Sunday, 00:00 UTC), monthly runs on a day of the
// month from 1 to 28 (every month has it), twice-monthly runs on the 1st and the 16th. A run is due once per
// period: when no run was made since the period began.

export const PAYOUT_SCHEDULES = ["manual", "weekly", "twice_monthly", "monthly"] as const;
export const PayoutScheduleSchema = z.enum(PAYOUT_SCHEDULES);
export type PayoutSchedule = z.infer<typeof PayoutScheduleSchema>;

/** Weekly: 1 = Monday … 7 = Sunday. Monthly: the day of the month, 1 to 28. Twice-monthly ignores it. */
export const PayoutDaySchema = z.number().int().min(1).max(28);
export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;
/** Monday for weekly runs, the 1st for monthly ones. */
export const DEFAULT_PAYOUT_DAY = 1;

/** The day fits the schedule: a weekday (1-7) for weekly runs, a day of the month (1-28) for monthly runs. */
export function payoutDayProblem(schedule: PayoutSchedule, day: number): string | null {
  if (!Number.isInteger(day) || day < 1) return "must be a whole number from 1";
  if (schedule === "weekly" && day > 7) return "must be a weekday, 1 (Monday) to 7 (Sunday)";
  if (schedule === "monthly" && day > 28) return "must be a day of the month from 1 to 28";
  return null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The day as the schedule reads it: out-of-range values (a weekly 15, say) fall back to the default. */
function dayFor(schedule: PayoutSchedule, day: number): number {
  return payoutDayProblem(schedule, day) ? DEFAULT_PAYOUT_DAY : day;
}

/** The start of the schedule period that contains `at`; null for manual runs. */
export function periodStart(schedule: PayoutSchedule, at: Date, day = DEFAULT_PAYOUT_DAY): Date | null {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const d = at.getUTCDate();
  const payDay = dayFor(schedule, day);
  switch (schedule) {
    case "manual":
      return null;
    case "weekly": {
      const midnight = Date.UTC(y, m, d);
      // getUTCDay: 0 = Sunday; the payout day: 7 = Sunday.
      const sincePayDay = (at.getUTCDay() - (payDay % 7) + 7) % 7;
      return new Date(midnight - sincePayDay * DAY_MS);
    }
    case "twice_monthly":
      return new Date(Date.UTC(y, m, d >= 16 ? 16 : 1));
    case "monthly":
      return new Date(Date.UTC(y, d >= payDay ? m : m - 1, payDay));
  }
}

/** The start of the period after the one that contains `at`; null for manual runs. */
export function nextPeriodStart(schedule: PayoutSchedule, at: Date, day = DEFAULT_PAYOUT_DAY): Date | null {
  const start = periodStart(schedule, at, day);
  if (!start) return null;
  switch (schedule) {
    case "weekly":
      return new Date(start.getTime() + 7 * DAY_MS);
    case "twice_monthly":
      return start.getUTCDate() === 1
        ? new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 16))
        : new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    default:
      return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, start.getUTCDate()));
  }
}

/** Names the period, e.g. "weekly:2026-11-02"; one scheduled run per store and period key. */
export function periodKey(schedule: PayoutSchedule, at: Date, day = DEFAULT_PAYOUT_DAY): string | null {
  const start = periodStart(schedule, at, day);
  return start ? `${schedule}:${start.toISOString().slice(0, 10)}` : null;
}

/** A scheduled store is due when it has never had a run, or its last run began before the current period. */
export function isPayoutRunDue(
  schedule: PayoutSchedule,
  lastRunAt: Date | null,
  now: Date,
  day = DEFAULT_PAYOUT_DAY,
): boolean {
  const start = periodStart(schedule, now, day);
  if (!start) return false;
  return lastRunAt === null || lastRunAt.getTime() < start.getTime();
}

export interface StoreSchedule {
  storeId: string;
  schedule: PayoutSchedule;
  /** The payout day (see PayoutDaySchema); the default when absent. */
  day?: number;
  lastRunAt: Date | null;
}

/** The stores whose scheduled run is due at `now`, in input order. */
export function storesDueForPayoutRun<T extends StoreSchedule>(stores: readonly T[], now: Date): T[] {
  return stores.filter((s) => isPayoutRunDue(s.schedule, s.lastRunAt, now, s.day));
}
