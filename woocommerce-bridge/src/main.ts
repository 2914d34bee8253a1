// Runs the WooCommerce bridge on its own: `npm start -w woocommerce-bridge`. Webhooks are queued in the
// inbox and processed by the worker in this process; reconciliation polls every connected store.
import { createInboxWorker, openInboxRecorder } from "@trailmark/core/inbox";
import { startRuntime } from "@trailmark/core/runtime";
import { serveFetch } from "@trailmark/core/server";
import { createWooDeliveryHandler } from "./process-delivery.ts";
import { startReconciliation } from "./reconcile.ts";
import { createWooBridgeHandler, wooWebhookRoute } from "./server.ts";

const { env, db, database, stopOnSignals } = await startRuntime();

const worker = createInboxWorker({ db, handlers: { woocommerce: createWooDeliveryHandler({ db }) } });
worker.start();
const reconciliation = startReconciliation({ db, intervalMs: env.WOO_RECONCILE_INTERVAL_MS });
// Deliveries are received by a node:http route (signature, group-committed insert, answer); the fetch handler
// answers everything else.
const inbox = openInboxRecorder(database, () => worker.nudge());
const server = await serveFetch(createWooBridgeHandler({ db, worker, recorder: inbox }), {
  port: env.PORT,
  host: env.HOST,
  trustProxy: env.TRUST_PROXY,
  nodeRoutes: [wooWebhookRoute(db, inbox)],
});
console.log(`woocommerce bridge listening on ${server.url} (POST /woocommerce/webhooks/<store id>)`);

stopOnSignals(async () => {
  await server.close();
  await inbox.close();
  await reconciliation.stop();
  await worker.stop();
});
