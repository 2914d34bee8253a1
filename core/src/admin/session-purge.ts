import type { Db } from "../db/client.ts";
import { startPeriodicJob } from "../jobs/periodic-job.ts";
import { purgePortalSessions } from "../portal/sessions.ts";
import { purgeAdminSessions } from "./owner-accounts.ts";

// Expired sessions and spent sign-in links of the standalone admin and the creator portal are useless rows;
// without a sweep they pile up for ever. Hourly is plenty: an expired row is never honoured anyway.

export const SESSION_PURGE_INTERVAL_MS = 60 * 60_000;

export interface SessionPurge {
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * Purges every `intervalMs`, once per period across all instances on the database (core/src/jobs/periodic-job.ts),
 * at once when no instance has purged within the last interval (so a process restarted more often than the
 * interval still purges). The timer is unref'd: it never keeps a process alive. A failed sweep is logged and
 * retried the next period; sweeps never overlap.
 */
export function startSessionPurge(options: { db: Db; intervalMs?: number; now?: () => Date }): SessionPurge {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const job = startPeriodicJob({
    db,
    name: "session-purge",
    intervalMs: options.intervalMs ?? SESSION_PURGE_INTERVAL_MS,
    run: async () => {
      const at = now();
      await Promise.all([purgeAdminSessions(db, at), purgePortalSessions(db, at)]);
    },
    onError: (error) => console.warn(`session purge failed: ${String(error)}`),
  });
  return { stop: () => job.stop() };
}
