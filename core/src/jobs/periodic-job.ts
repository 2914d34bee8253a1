import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Db } from "../db/client.ts";
import { isUniqueViolation } from "../shared/db-errors.ts";

// A job that runs once per period across every instance on one database (the approval sweep, payouts,
// WooCommerce reconciliation, the session purge). Each instance asks now and then whether the job is due;
// the JobLease row answers: a conditional update moves dueAt one interval on and takes a lease, and only the
// instance whose update matched runs the period. The lease keeps a run that outlasts the interval from being
// started again elsewhere; a crashed instance's lease simply runs out. Works alike on SQLite and PostgreSQL
// (the update is atomic on both), so one process alone behaves the same.

export interface PeriodicJobOptions {
  db: Db;
  /** The JobLease row's name: one per job, the same on every instance. */
  name: string;
  intervalMs: number;
  run: () => Promise<unknown>;
  /** Wall clock for the schedule (the job's own clock, if any, stays inside run). */
  clock?: () => number;
  /** How often this instance asks whether the job is due; a period starts within this of being due. */
  pollMs?: number;
  /** Longest a run may hold the job before another instance may start it (a crashed run). */
  leaseMs?: number;
  /** When this instance first asks; at once by default (a job never run before runs then). */
  firstCheckDelayMs?: number;
  /** Reports a failed run (or a failed check); console.warn by default. Each run is logged with console.info. */
  onError?: (error: unknown) => void;
}

export interface PeriodicJob {
  /** Runs the job if it is due and no one holds it; resolves with whether this instance ran it. */
  tick(): Promise<boolean>;
  /** Stops asking and waits for a run in progress. */
  stop(): Promise<void>;
}

/** Identifies this process in JobLease.owner (and the run log), so an operator sees which instance ran what. */
export const INSTANCE_ID = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;

export function defaultPollMs(intervalMs: number): number {
  return Math.min(Math.max(intervalMs / 10, Math.min(intervalMs, 250)), 60_000);
}

/** Claims the job's next period at `at` (ms): true when this instance is to run it. */
export async function claimJobRun(
  db: Db,
  job: { name: string; intervalMs: number; leaseMs: number; owner: string },
  at: number,
): Promise<{ leaseUntil: Date } | null> {
  const now = new Date(at);
  const leaseUntil = new Date(at + job.leaseMs);
  const claimed = await db.jobLease.updateMany({
    where: { name: job.name, dueAt: { lte: now }, OR: [{ leaseUntil: null }, { leaseUntil: { lte: now } }] },
    data: {
      dueAt: new Date(at + job.intervalMs),
      leaseUntil,
      owner: job.owner,
      lastRunAt: now,
      runs: { increment: 1 },
    },
  });
  if (claimed.count === 1) return { leaseUntil };
  if (await db.jobLease.findUnique({ where: { name: job.name }, select: { name: true } })) return null;
  try {
    await db.jobLease.create({
      data: {
        name: job.name,
        dueAt: new Date(at + job.intervalMs),
        leaseUntil,
        owner: job.owner,
        lastRunAt: now,
        runs: 1,
      },
    });
    return { leaseUntil };
  } catch (error) {
    // Another instance created it first and runs this period.
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

/** Ends this instance's lease (if it still holds it), so the next period may start anywhere. */
export async function releaseJobRun(db: Db, name: string, owner: string, leaseUntil: Date): Promise<void> {
  await db.jobLease.updateMany({ where: { name, owner, leaseUntil }, data: { leaseUntil: null } });
}

export function startPeriodicJob(options: PeriodicJobOptions): PeriodicJob {
  const { db, name, intervalMs, run } = options;
  const clock = options.clock ?? Date.now;
  const pollMs = options.pollMs ?? defaultPollMs(intervalMs);
  const leaseMs = options.leaseMs ?? Math.max(intervalMs, 15 * 60_000);
  const onError =
    options.onError ??
    ((error: unknown) => console.warn(`periodic job ${name} failed on ${INSTANCE_ID}: ${String(error)}`));
  const owner = INSTANCE_ID;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<boolean> | null = null;

  async function attempt(): Promise<boolean> {
    const started = clock();
    const lease = await claimJobRun(db, { name, intervalMs, leaseMs, owner }, started);
    if (!lease) return false;
    try {
      await run();
      console.info(
        `periodic job ${name} ran on ${owner} (claimed ${new Date(started).toISOString()}, ${clock() - started} ms)`,
      );
    } catch (error) {
      onError(error);
    } finally {
      await releaseJobRun(db, name, owner, lease.leaseUntil).catch(() => {});
    }
    return true;
  }

  function tick(): Promise<boolean> {
    // One check at a time in this process: a slow run is not started again here while it lasts.
    if (running) return running.then(() => false);
    const current = attempt().finally(() => {
      running = null;
    });
    running = current;
    return current;
  }

  function schedule(delayMs: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      tick()
        .catch(onError)
        .finally(() => schedule(pollMs));
    }, delayMs);
    timer.unref();
  }

  schedule(options.firstCheckDelayMs ?? 0);
  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => false);
    },
  };
}
