import type { Db } from "../db/client.ts";
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
 * Purges at once (a process restarted more often than the interval would otherwise never purge), then every
 * `intervalMs`. The timer is unref'd: it never keeps a process alive. A failed sweep is logged and retried at
 * the next tick; sweeps never overlap.
 */
export function startSessionPurge(options: { db: Db; intervalMs?: number; now?: () => Date }): SessionPurge {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  let running: Promise<void> | null = null;
  let stopped = false;
  const sweep = () => {
    if (running || stopped) return;
    const at = now();
    running = Promise.all([purgeAdminSessions(db, at), purgePortalSessions(db, at)])
      .then(() => undefined)
      .catch((error: unknown) => console.warn(`session purge failed: ${String(error)}`))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(sweep, options.intervalMs ?? SESSION_PURGE_INTERVAL_MS);
  timer.unref();
  sweep();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
