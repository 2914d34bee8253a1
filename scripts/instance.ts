// One instance of the whole product on PORT: the tracking endpoints (/c, /collect, /t.js, /api/v1), the
// WooCommerce bridge (/woocommerce/webhooks), and the Shopify app (everything else), with the webhook inbox
// worker, WooCommerce reconciliation, the commission approval sweep, payouts, the session purge (each
// periodic job runs on one instance per period, core/src/jobs/periodic-job.ts) and the creator mail worker.
// Pending migrations are applied first. `npm start` runs one of these, or WEB_CONCURRENCY of them under node:cluster (start.ts).
// Each part can also run on its own (see README).
import { startSessionPurge } from "@trailmark/core/admin";
import { CoreEnvSchema, parseEnv } from "@trailmark/core/config";
import { approveDueCommissions } from "@trailmark/core/conversions";
import { migrate, openDatabase, tuneSqlite } from "@trailmark/core/db";
import { createTrackingApp } from "@trailmark/core/http";
import { openInboxRecorder, startInboxThread } from "@trailmark/core/inbox";
import { startPeriodicJob } from "@trailmark/core/jobs";
import { startCreatorMailWorker } from "@trailmark/core/mail";
import {
  providersFromEnv,
  reconcilePayouts,
  runScheduledPayouts,
  StripeConnectProvider,
} from "@trailmark/core/payouts";
import { createLogMailer, createPortal, createSmtpMailer } from "@trailmark/core/portal";
import { closeRedisFromEnv } from "@trailmark/core/redis";
import { serveFetch, trackingNodeRoutes } from "@trailmark/core/server";
import {
  createShopifyAppHandler,
  createSignInGate,
  provideDatabase,
  shopifyWebhookRoute,
} from "@trailmark/shopify-app/server";
import { createWooBridgeHandler, parseBridgeEnv, startReconciliation, wooWebhookRoute } from "@trailmark/woocommerce";

const env = parseEnv(CoreEnvSchema);
const bridgeEnv = parseBridgeEnv();
const database = openDatabase(env.DATABASE_URL);
await tuneSqlite(database);
const applied = await migrate(database);
if (applied.length > 0) console.log(`applied migrations: ${applied.join(", ")}`);
const { db } = database;
provideDatabase(database);

const tracking = createTrackingApp({ database, collectRateLimit: env.COLLECT_RATE_LIMIT });
await tracking.start();
// Webhook deliveries (Shopify and WooCommerce) are received by node:http routes in front of everything else:
// signature, group-committed insert into the inbox, answer. The worker that processes them runs on a thread of
// its own (scripts/inbox-worker.ts), so that ingesting a batch never holds up an answer; a stored group nudges it.
const worker = startInboxThread(new URL("./inbox-worker.ts", import.meta.url), database.url);
const inbox = openInboxRecorder(database, () => worker.nudge());
const woo = createWooBridgeHandler({ db, recorder: inbox });
const reconciliation = startReconciliation({ db, intervalMs: bridgeEnv.WOO_RECONCILE_INTERVAL_MS });
const shopify = await createShopifyAppHandler({ database });
const approvals = startPeriodicJob({
  db,
  name: "approval-sweep",
  intervalMs: env.APPROVAL_INTERVAL_MS,
  run: () => approveDueCommissions(db),
  onError: (e: unknown) => console.warn(`approval sweep failed: ${String(e)}`),
});
// Scheduled runs and in-flight payouts are looked at every few minutes, on one instance at a time. Payouts
// left processing by a stopped process are settled first (asking the provider by idempotency key), by the
// first period after a start-up when none ran within the interval, else by the next one.
const payoutDeps = { providers: providersFromEnv() };
const payouts = startPeriodicJob({
  db,
  name: "payout-sweep",
  intervalMs: env.APPROVAL_INTERVAL_MS,
  run: async () => {
    await reconcilePayouts(db, payoutDeps);
    await runScheduledPayouts(db, payoutDeps);
    await reconcilePayouts(db, payoutDeps);
  },
  onError: (e: unknown) => console.warn(`payout sweep failed: ${String(e)}`),
});
// Expired admin and portal sessions and spent sign-in links, hourly.
const sessionPurge = startSessionPurge({ db });

const publicUrl = env.PUBLIC_URL ?? process.env.SHOPIFY_APP_URL ?? `http://localhost:${env.PORT}`;
const mailer = env.SMTP_URL ? createSmtpMailer(env.SMTP_URL, env.MAIL_FROM) : createLogMailer();
const portal = createPortal({
  db,
  publicUrl,
  mailer,
  stripe: payoutDeps.providers.stripe instanceof StripeConnectProvider ? payoutDeps.providers.stripe : undefined,
});

// Mails to creators (commission earned, approved, paid, reversed; payout method missing): the outbox the ledger
// writes in its own transactions, sent by this worker on every instance (claims are leases).
const creatorMails = startCreatorMailWorker({ db, mailer, publicUrl });

const server = await serveFetch(
  (request, ctx) => {
    const tracked = tracking.route(request, ctx) ?? portal.route(request, ctx);
    if (tracked) return tracked;
    if (new URL(request.url).pathname.startsWith("/woocommerce/")) return woo(request, ctx);
    return shopify(request, ctx);
  },
  {
    port: env.PORT,
    host: env.HOST,
    trustProxy: env.TRUST_PROXY,
    nodeRoutes: [...trackingNodeRoutes(tracking), shopifyWebhookRoute(db, inbox), wooWebhookRoute(db, inbox)],
    // Sign-in posts past a few at once are refused before they reach the app (issue 12.12).
    gates: [createSignInGate()],
  },
);
console.log(
  `Trailmark listening on ${server.url} (database: ${database.provider}; limits and click dedup: ${process.env.REDIS_URL ? "Redis" : "this process"}; pid ${process.pid})`,
);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
  await approvals.stop();
  await payouts.stop();
  await sessionPurge.stop();
  await creatorMails.stop();
  await server.close();
  await inbox.close();
  await reconciliation.stop();
  await worker.stop();
  await tracking.stop();
  await closeRedisFromEnv();
  await database.close();
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
