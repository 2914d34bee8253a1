import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isPayoutRunDue,
  nextPeriodStart,
  payoutDayProblem,
  periodKey,
  periodStart,
  storesDueForPayoutRun,
} from "./schedule.ts";

const at = (iso: string) => new Date(iso);

describe("periodStart", () => {
  it("starts weeks on Monday 00:00 UTC", () => {
    // 2026-11-04 is a Wednesday.
    expect(periodStart("weekly", at("2026-11-04T15:00:00Z"))).toEqual(at("2026-11-02T00:00:00Z"));
    expect(periodStart("weekly", at("2026-11-02T00:00:00Z"))).toEqual(at("2026-11-02T00:00:00Z"));
    // Sunday belongs to the week that began six days earlier.
    expect(periodStart("weekly", at("2026-11-08T23:59:59Z"))).toEqual(at("2026-11-02T00:00:00Z"));
  });

  it("splits months on the 1st and the 16th for twice-monthly runs", () => {
    expect(periodStart("twice_monthly", at("2026-11-15T23:00:00Z"))).toEqual(at("2026-11-01T00:00:00Z"));
    expect(periodStart("twice_monthly", at("2026-11-16T00:00:00Z"))).toEqual(at("2026-11-16T00:00:00Z"));
    expect(periodStart("twice_monthly", at("2026-11-30T12:00:00Z"))).toEqual(at("2026-11-16T00:00:00Z"));
  });

  it("starts monthly periods on the 1st and has none for manual runs", () => {
    expect(periodStart("monthly", at("2026-02-28T12:00:00Z"))).toEqual(at("2026-02-01T00:00:00Z"));
    expect(periodStart("manual", at("2026-02-28T12:00:00Z"))).toBeNull();
  });
});

describe("nextPeriodStart and periodKey", () => {
  it("steps to the next period, across month and year ends", () => {
    expect(nextPeriodStart("weekly", at("2026-12-30T00:00:00Z"))).toEqual(at("2027-01-04T00:00:00Z"));
    expect(nextPeriodStart("twice_monthly", at("2026-12-03T00:00:00Z"))).toEqual(at("2026-12-16T00:00:00Z"));
    expect(nextPeriodStart("twice_monthly", at("2026-12-20T00:00:00Z"))).toEqual(at("2027-01-01T00:00:00Z"));
    expect(nextPeriodStart("monthly", at("2026-12-20T00:00:00Z"))).toEqual(at("2027-01-01T00:00:00Z"));
    expect(nextPeriodStart("manual", at("2026-12-20T00:00:00Z"))).toBeNull();
  });

  it("names each period once", () => {
    expect(periodKey("weekly", at("2026-11-04T15:00:00Z"))).toBe("weekly:2026-11-02");
    expect(periodKey("twice_monthly", at("2026-11-20T15:00:00Z"))).toBe("twice_monthly:2026-11-16");
    expect(periodKey("monthly", at("2026-11-20T15:00:00Z"))).toBe("monthly:2026-11-01");
    expect(periodKey("manual", at("2026-11-20T15:00:00Z"))).toBeNull();
  });

  it("has every instant inside its period, and consecutive periods touching", () => {
    const schedule = fc.constantFrom("weekly" as const, "twice_monthly" as const, "monthly" as const);
    const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }).map((ms) => new Date(ms));
    fc.assert(
      fc.property(schedule, instant, (s, t) => {
        const start = periodStart(s, t)!;
        const next = nextPeriodStart(s, t)!;
        expect(start.getTime()).toBeLessThanOrEqual(t.getTime());
        expect(next.getTime()).toBeGreaterThan(t.getTime());
        expect(periodStart(s, next)).toEqual(next);
        expect(periodStart(s, new Date(next.getTime() - 1))).toEqual(start);
      }),
    );
  });
});

describe("the payout day", () => {
  it("starts weekly periods on the chosen weekday, 1 = Monday to 7 = Sunday", () => {
    // 2026-11-04 is a Wednesday.
    const wednesday = at("2026-11-04T15:00:00Z");
    expect(periodStart("weekly", wednesday, 1)).toEqual(at("2026-11-02T00:00:00Z"));
    expect(periodStart("weekly", wednesday, 3)).toEqual(at("2026-11-04T00:00:00Z"));
    expect(periodStart("weekly", wednesday, 5)).toEqual(at("2026-10-30T00:00:00Z"));
    expect(periodStart("weekly", wednesday, 7)).toEqual(at("2026-11-01T00:00:00Z"));
    expect(nextPeriodStart("weekly", wednesday, 5)).toEqual(at("2026-11-06T00:00:00Z"));
    expect(periodKey("weekly", wednesday, 5)).toBe("weekly:2026-10-30");
  });

  it("starts monthly periods on the chosen day of the month, the previous month's before it", () => {
    expect(periodStart("monthly", at("2026-11-20T15:00:00Z"), 15)).toEqual(at("2026-11-15T00:00:00Z"));
    expect(periodStart("monthly", at("2026-11-14T23:59:59Z"), 15)).toEqual(at("2026-10-15T00:00:00Z"));
    expect(periodStart("monthly", at("2026-01-10T00:00:00Z"), 28)).toEqual(at("2025-12-28T00:00:00Z"));
    expect(nextPeriodStart("monthly", at("2026-01-30T00:00:00Z"), 28)).toEqual(at("2026-02-28T00:00:00Z"));
    expect(nextPeriodStart("monthly", at("2026-12-20T00:00:00Z"), 15)).toEqual(at("2027-01-15T00:00:00Z"));
  });

  it("is due on the payout day and not before", () => {
    // Weekly on Friday; last run on Friday 2026-10-30.
    const last = at("2026-10-30T06:00:00Z");
    expect(isPayoutRunDue("weekly", last, at("2026-11-05T23:59:59Z"), 5)).toBe(false);
    expect(isPayoutRunDue("weekly", last, at("2026-11-06T00:00:00Z"), 5)).toBe(true);
    // Monthly on the 15th; last run on 2026-10-15.
    const lastMonthly = at("2026-10-15T01:00:00Z");
    expect(isPayoutRunDue("monthly", lastMonthly, at("2026-11-14T12:00:00Z"), 15)).toBe(false);
    expect(isPayoutRunDue("monthly", lastMonthly, at("2026-11-15T00:00:00Z"), 15)).toBe(true);
    const stores = [
      { storeId: "fri", schedule: "weekly" as const, day: 5, lastRunAt: last },
      { storeId: "mon", schedule: "weekly" as const, day: 1, lastRunAt: last },
    ];
    // Monday 2026-11-02: the Monday store's week began today; the Friday store's has not ended.
    expect(storesDueForPayoutRun(stores, at("2026-11-02T09:00:00Z")).map((s) => s.storeId)).toEqual(["mon"]);
  });

  it("rejects a day the schedule does not have", () => {
    expect(payoutDayProblem("weekly", 7)).toBeNull();
    expect(payoutDayProblem("weekly", 8)).toMatch(/weekday/);
    expect(payoutDayProblem("monthly", 28)).toBeNull();
    expect(payoutDayProblem("monthly", 29)).toMatch(/1 to 28/);
    expect(payoutDayProblem("monthly", 0)).toMatch(/from 1/);
  });

  it("has every instant inside its period for every payout day", () => {
    const schedule = fc.constantFrom("weekly" as const, "monthly" as const);
    const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }).map((ms) => new Date(ms));
    fc.assert(
      fc.property(schedule, instant, fc.integer({ min: 1, max: 28 }), (s, t, rawDay) => {
        const day = s === "weekly" ? ((rawDay - 1) % 7) + 1 : rawDay;
        const start = periodStart(s, t, day)!;
        const next = nextPeriodStart(s, t, day)!;
        expect(start.getTime()).toBeLessThanOrEqual(t.getTime());
        expect(next.getTime()).toBeGreaterThan(t.getTime());
        expect(periodStart(s, next, day)).toEqual(next);
        expect(periodStart(s, new Date(next.getTime() - 1), day)).toEqual(start);
        if (s === "monthly") expect(start.getUTCDate()).toBe(day);
        else expect(start.getUTCDay()).toBe(day % 7);
      }),
    );
  });
});

describe("isPayoutRunDue", () => {
  it("is due once per period: when no run was made since the period began", () => {
    const now = at("2026-11-04T15:00:00Z");
    expect(isPayoutRunDue("weekly", null, now)).toBe(true);
    expect(isPayoutRunDue("weekly", at("2026-11-01T23:59:59Z"), now)).toBe(true);
    expect(isPayoutRunDue("weekly", at("2026-11-02T00:00:00Z"), now)).toBe(false);
    expect(isPayoutRunDue("monthly", at("2026-11-02T00:00:00Z"), now)).toBe(false);
    expect(isPayoutRunDue("monthly", at("2026-10-31T00:00:00Z"), now)).toBe(true);
    expect(isPayoutRunDue("twice_monthly", at("2026-11-10T00:00:00Z"), at("2026-11-16T00:00:01Z"))).toBe(true);
  });

  it("is never due for manual runs", () => {
    expect(isPayoutRunDue("manual", null, at("2026-11-04T15:00:00Z"))).toBe(false);
  });

  it("selects the due stores", () => {
    const now = at("2026-11-16T08:00:00Z");
    const stores = [
      { storeId: "a", schedule: "weekly" as const, lastRunAt: at("2026-11-09T08:00:00Z") },
      { storeId: "b", schedule: "weekly" as const, lastRunAt: at("2026-11-16T07:00:00Z") },
      { storeId: "c", schedule: "twice_monthly" as const, lastRunAt: at("2026-11-01T00:00:00Z") },
      { storeId: "d", schedule: "monthly" as const, lastRunAt: at("2026-11-01T00:00:00Z") },
      { storeId: "e", schedule: "manual" as const, lastRunAt: null },
      { storeId: "f", schedule: "monthly" as const, lastRunAt: null },
    ];
    expect(storesDueForPayoutRun(stores, now).map((s) => s.storeId)).toEqual(["a", "c", "f"]);
  });
});
