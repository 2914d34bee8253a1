// One instance of the whole product on PORT: the tracking endpoints (/c, /collect, /t.js, /api/v1), the
// WooCommerce bridge (/woocommerce/webhooks), and the Shopify app (everything else), with the webhook inbox
// worker, WooCommerce reconciliation, the commission approval sweep, payouts, the session purge (each
// periodic job runs on one instance per period, core/src/jobs/periodic-job.ts) and the creator mail worker.
// Pending migrations are applied first. `npm start` runs one of these, or WEB_CONCURRENCY of them under node:cluster (start.ts).
// Each part can also run on its own (see README).
import { createApplyPage } from "@trailmark/core/applications";
import { createTrackingApp } from "@trailmark/core/http";
import { openInboxRecorder } from "@trailmark/core/inbox";
import { StripeConnectProvider } from "@trailmark/core/payouts";
import { createPortal } from "@trailmark/core/portal";
import { startRuntime } from "@trailmark/core/runtime";
import { serveFetch, trackingNodeRoutes } from "@trailmark/core/server";
import {
  createShopifyAppHandler,
  createSignInGate,
  provideDatabase,
  shopifyWebhookRoute,
  storeDiscountGateways,
} from "@trailmark/shopify-app/server";
import { createWooBridgeHandler, startReconciliation, wooWebhookRoute } from "@trailmark/woocommerce";

// Scheduled runs and in-flight payouts are looked at every few minutes, on one instance at a time.
const runtime = await startRuntime({
  sweeps: ["approvals", "payouts", "session-purge", "creator-mails"],
  // Webhook deliveries are processed on a thread of their own (scripts/inbox-worker.ts), so that ingesting a
  // batch never holds up an answer.
  inboxWorker: new URL("./inbox-worker.ts", import.meta.url),
});
const { env, database, db, mailer, publicUrl, inboxThread } = runtime;
provideDatabase(database);

const tracking = createTrackingApp({ database, collectRateLimit: env.COLLECT_RATE_LIMIT });
await tracking.start();
// Webhook deliveries (Shopify and WooCommerce) are received by node:http routes in front of everything else:
// signature, group-committed insert into the inbox, answer; a stored group nudges the runtime's inbox thread.
const inbox = openInboxRecorder(database, () => inboxThread?.nudge());
const woo = createWooBridgeHandler({ db, recorder: inbox });
const reconciliation = startReconciliation({ db, intervalMs: env.WOO_RECONCILE_INTERVAL_MS });
const shopify = await createShopifyAppHandler({ database });

const portal = createPortal({
  db,
  publicUrl,
  mailer,
  stripe: runtime.providers.stripe instanceof StripeConnectProvider ? runtime.providers.stripe : undefined,
});
// The public creator application pages, /apply/<store handle>[/<campaign id>].
const applyPage = createApplyPage({ db, publicUrl, discounts: storeDiscountGateways(db) });

const server = await serveFetch(
  (request, ctx) => {
    const tracked = tracking.route(request, ctx) ?? portal.route(request, ctx) ?? applyPage.route(request, ctx);
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
  `Trailmark listening on ${server.url} (database: ${database.provider}; limits and click dedup: ${env.REDIS_URL ? "Redis" : "this process"}; pid ${process.pid})`,
);

runtime.stopOnSignals(async () => {
  await server.close();
  await inbox.close();
  await reconciliation.stop();
  await tracking.stop();
});
