import { startSessionPurge } from "../admin/session-purge.ts";
import { type Env, EnvSchema, parseEnv, publicUrlOf } from "../config/env.ts";
import { approveDueCommissions } from "../conversions/approve-due.ts";
import type { Database, Db } from "../db/client.ts";
import { openRuntimeDatabase } from "../db/open-database.ts";
import { type InboxThread, startInboxThread } from "../inbox/inbox-thread.ts";
import { startPeriodicJob } from "../jobs/periodic-job.ts";
import { startCreatorMailWorker } from "../mail/worker.ts";
// Through the barrel: payout-store.ts is being split into files.
import { type PayoutProviders, providersFromEnv, reconcilePayouts, runScheduledPayouts } from "../payouts/index.ts";
import { createLogMailer, createSmtpMailer, type Mailer, type MessageMailer } from "../portal/mailer.ts";
import { closeRedisFromEnv } from "../redis/redis.ts";

// How every start-up of the product begins and ends: `npm start` (its cluster primary and each instance), each
// part on its own (core's tracking server, the Shopify app, the WooCommerce bridge), the demo and the inbox
// thread. The environment is parsed once by the one schema, the database is opened, tuned (SQLite pragmas) and
// migrated, the periodic sweeps the caller asks for are started, and SIGINT/SIGTERM stop it all in order.

export type Sweep =
  /** Pending commissions past their holding period become approved. */
  | "approvals"
  /** Scheduled payout runs, and in-flight payouts settled with their provider. */
  | "payouts"
  /** Expired admin and portal sessions and spent sign-in links, hourly. */
  | "session-purge"
  /** The creator mail outbox, sent through the runtime's mailer (every instance; claims are leases). */
  | "creator-mails";

interface Stoppable {
  stop(): Promise<void>;
}

/** Starts the periodic sweeps named (each runs on one instance per period: core/src/jobs/periodic-job.ts). */
export function startSweeps(
  db: Db,
  env: Env,
  sweeps: readonly Sweep[],
  deps: { providers: PayoutProviders; mailer: Mailer & MessageMailer; publicUrl: string },
): Stoppable {
  const { providers } = deps;
  const started: Stoppable[] = [];
  if (sweeps.includes("approvals")) {
    started.push(
      startPeriodicJob({
        db,
        name: "approval-sweep",
        intervalMs: env.APPROVAL_INTERVAL_MS,
        run: () => approveDueCommissions(db),
        onError: (e: unknown) => console.warn(`approval sweep failed: ${String(e)}`),
      }),
    );
  }
  if (sweeps.includes("payouts")) {
    // Payouts left processing by a stopped process are settled first (asking the provider by idempotency key),
    // by the first period after a start-up when none ran within the interval, else by the next one.
    const deps = { providers };
    started.push(
      startPeriodicJob({
        db,
        name: "payout-sweep",
        intervalMs: env.APPROVAL_INTERVAL_MS,
        run: async () => {
          await reconcilePayouts(db, deps);
          await runScheduledPayouts(db, deps);
          await reconcilePayouts(db, deps);
        },
        onError: (e: unknown) => console.warn(`payout sweep failed: ${String(e)}`),
      }),
    );
  }
  if (sweeps.includes("session-purge")) started.push(startSessionPurge({ db }));
  if (sweeps.includes("creator-mails"))
    started.push(startCreatorMailWorker({ db, mailer: deps.mailer, publicUrl: deps.publicUrl }));
  return {
    async stop() {
      for (const sweep of started) await sweep.stop();
    },
  };
}

export interface Runtime {
  env: Env;
  database: Database;
  db: Db;
  /** The payout providers the environment configures (manual always; Stripe, PayPal with their keys). */
  providers: PayoutProviders;
  /** Sign-in links and creator mails: SMTP when SMTP_URL is set, else printed to the log. */
  mailer: Mailer & MessageMailer;
  /** The base of every public URL the product prints (PUBLIC_URL, else SHOPIFY_APP_URL, else this port). */
  publicUrl: string;
  /** The webhook inbox's worker thread, when `inboxWorker` named its entry; the receipt nudges it. */
  inboxThread: InboxThread | null;
  /**
   * Runs `close` on SIGINT/SIGTERM after the sweeps stop and before the inbox thread, Redis and the database
   * close (so the receipt can flush what it acknowledged); then exits.
   */
  stopOnSignals(close: () => Promise<void>): void;
}

export interface RuntimeOptions {
  sweeps?: readonly Sweep[];
  /** The module that processes webhook deliveries on a thread of its own (scripts/inbox-worker.ts). */
  inboxWorker?: URL;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  source?: Record<string, string | undefined>;
}

export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const env = parseEnv(EnvSchema, options.source ?? process.env);
  const database = await openRuntimeDatabase(env.DATABASE_URL, { migrate: options.migrate });
  const { db } = database;
  const providers = providersFromEnv(options.source ?? process.env);
  const mailer = env.SMTP_URL ? createSmtpMailer(env.SMTP_URL, env.MAIL_FROM) : createLogMailer();
  const publicUrl = publicUrlOf(env, options.source ?? process.env);
  const sweeps = startSweeps(db, env, options.sweeps ?? [], { providers, mailer, publicUrl });
  const inboxThread = options.inboxWorker ? startInboxThread(options.inboxWorker, database.url) : null;
  return {
    env,
    database,
    db,
    providers,
    mailer,
    publicUrl,
    inboxThread,
    stopOnSignals(close) {
      let stopping = false;
      const stop = async (signal: string) => {
        // `on`, not `once`: Ctrl-C signals the whole process group, so under `npm start`'s cluster a worker gets
        // SIGINT from the terminal and again from the primary; a second signal must not kill it mid-shutdown.
        if (stopping) return;
        stopping = true;
        console.log(`${signal}: stopping`);
        await sweeps.stop();
        await close();
        await inboxThread?.stop();
        await closeRedisFromEnv();
        await database.close();
        process.exit(0);
      };
      process.on("SIGINT", () => void stop("SIGINT"));
      process.on("SIGTERM", () => void stop("SIGTERM"));
    },
  };
}
