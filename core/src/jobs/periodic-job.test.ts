import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { claimJobRun, INSTANCE_ID, releaseJobRun, startPeriodicJob } from "./periodic-job.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.destroy());

const T = Date.parse("2026-12-06T12:00:00Z");
let jobs = 0;
const job = (intervalMs = 60_000, leaseMs = 600_000) => ({
  name: `job-${++jobs}`,
  intervalMs,
  leaseMs,
  owner: INSTANCE_ID,
});

describe("claimJobRun", () => {
  it("gives each period to one claimant: the first ever, then once per interval after the last", async () => {
    const { db } = database;
    const j = job();
    const first = await claimJobRun(db, j, T);
    expect(first).not.toBeNull();
    await releaseJobRun(db, j.name, j.owner, first!.leaseUntil);
    expect(await claimJobRun(db, j, T + 1)).toBeNull();
    expect(await claimJobRun(db, j, T + 59_999)).toBeNull();
    const second = await claimJobRun(db, j, T + 60_000);
    expect(second).not.toBeNull();
    await releaseJobRun(db, j.name, j.owner, second!.leaseUntil);
    expect(await db.jobLease.findUnique({ where: { name: j.name } })).toMatchObject({
      runs: 2,
      leaseUntil: null,
      dueAt: new Date(T + 120_000),
      lastRunAt: new Date(T + 60_000),
    });
  });

  it("does not start a period while a run still holds the lease, until the lease runs out", async () => {
    const { db } = database;
    const j = job(60_000, 300_000);
    expect(await claimJobRun(db, j, T)).not.toBeNull();
    // The run (never released: say its instance crashed) outlasts the interval.
    expect(await claimJobRun(db, j, T + 120_000)).toBeNull();
    expect(await claimJobRun(db, j, T + 300_000)).not.toBeNull();
  });

  it("gives a period to exactly one of many instances claiming at once, also on the very first run", async () => {
    const { db } = database;
    const j = job();
    const first = await Promise.all(Array.from({ length: 8 }, () => claimJobRun(db, j, T)));
    expect(first.filter(Boolean)).toHaveLength(1);
    await releaseJobRun(db, j.name, j.owner, first.find(Boolean)!.leaseUntil);
    const later = await Promise.all(Array.from({ length: 8 }, (_, i) => claimJobRun(db, j, T + 60_000 + i)));
    expect(later.filter(Boolean)).toHaveLength(1);
  });
});

describe("startPeriodicJob", () => {
  it("runs a job once per period between several instances, never two runs at once", async () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    const name = `shared-${++jobs}`;
    const intervalMs = 300;
    const starts: number[] = [];
    let active = 0;
    let overlapped = false;
    const run = async () => {
      // When the period was claimed (recorded with the claim), as run() itself starts a round trip later.
      const row = await database.db.jobLease.findUniqueOrThrow({ where: { name } });
      starts.push(row.lastRunAt!.getTime());
      if (++active > 1) overlapped = true;
      await new Promise((r) => setTimeout(r, 20));
      active--;
    };
    const began = Date.now();
    const instances = [1, 2, 3].map(() => startPeriodicJob({ db: database.db, name, intervalMs, run, pollMs: 25 }));
    await new Promise((r) => setTimeout(r, 1_500));
    await Promise.all(instances.map((i) => i.stop()));
    info.mockRestore();
    const elapsed = Date.now() - began;
    // One run at start, then one per interval: three instances each running would make three times as many.
    expect(starts.length).toBeGreaterThanOrEqual(Math.floor(elapsed / (intervalMs + 25 + 100)));
    expect(starts.length).toBeLessThanOrEqual(Math.floor(elapsed / intervalMs) + 1);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(intervalMs);
    expect(overlapped).toBe(false);
  });

  it("reports a failed run and runs again the next period", async () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    const errors: unknown[] = [];
    let calls = 0;
    const j = startPeriodicJob({
      db: database.db,
      name: `failing-${++jobs}`,
      intervalMs: 50,
      run: async () => {
        calls++;
        throw new Error("provider down");
      },
      onError: (e) => errors.push(e),
    });
    try {
      await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
      expect(String(errors[0])).toBe("Error: provider down");
    } finally {
      await j.stop();
      info.mockRestore();
    }
  });

  it("does not run a job that another instance ran within the interval when it starts", async () => {
    const name = `restart-${++jobs}`;
    const lease = await claimJobRun(
      database.db,
      { name, intervalMs: 60_000, leaseMs: 60_000, owner: "other" },
      Date.now(),
    );
    await releaseJobRun(database.db, name, "other", lease!.leaseUntil);
    const run = vi.fn(async () => {});
    const j = startPeriodicJob({ db: database.db, name, intervalMs: 60_000, run });
    expect(await j.tick()).toBe(false);
    await j.stop();
    expect(run).not.toHaveBeenCalled();
  });
});
