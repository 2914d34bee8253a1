import { openInboxRecorder } from "@trailmark/core/inbox";
import { startRuntime } from "@trailmark/core/runtime";
import { serveFetch } from "@trailmark/core/server";
import { createShopifyInboxWorker } from "@trailmark/shopify";
import { provideDatabase } from "./app/db.server.ts";
import { createShopifyAppHandler } from "./server/handler.ts";
import { createSignInGate } from "./server/http-edges.ts";
import { shopifyWebhookRoute } from "./server/webhook-route.ts";

// `npm start -w @trailmark/shopify-app`: the Shopify app on its own, with the inbox worker that processes its
// webhooks. One database for both (DATABASE_URL), tuned and migrated before the first request as `npm start`
// does, and the same variables parsed the same way (TRUST_PROXY=true and TRUST_PROXY=1 both hold).
// The standalone admin's expired sessions and spent sign-in links are purged hourly.
const { env, database, stopOnSignals } = await startRuntime({ sweeps: ["session-purge"] });
provideDatabase(database);

const handler = await createShopifyAppHandler({ database });
const worker = createShopifyInboxWorker(database.db);
worker.start(1000);
// Webhooks are received in front of Remix: signature, group-committed insert into the inbox, answer.
const inbox = openInboxRecorder(database, () => worker.nudge());

const server = await serveFetch((request, ctx) => handler(request, ctx), {
  port: env.PORT,
  host: env.HOST,
  trustProxy: env.TRUST_PROXY,
  nodeRoutes: [shopifyWebhookRoute(database.db, inbox)],
  gates: [createSignInGate()],
});
console.info(`Trailmark Shopify app listening on ${server.url}`);

stopOnSignals(async () => {
  await server.close();
  await inbox.close();
  await worker.stop();
});
