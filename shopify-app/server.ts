import { startSessionPurge } from "@trailmark/core/admin";
import { CoreEnvSchema, parseEnv } from "@trailmark/core/config";
import { migrate, openDatabase } from "@trailmark/core/db";
import { openInboxRecorder } from "@trailmark/core/inbox";
import { serveFetch } from "@trailmark/core/server";
import { createShopifyInboxWorker } from "@trailmark/shopify";
import { provideDatabase } from "./app/db.server.ts";
import { createShopifyAppHandler } from "./server/handler.ts";
import { createSignInGate } from "./server/http-edges.ts";
import { shopifyWebhookRoute } from "./server/webhook-route.ts";

// `npm start -w @trailmark/shopify-app`: the Shopify app on its own, with the inbox worker that processes its
// webhooks. One database for both (DATABASE_URL), migrated before the first request.

const env = parseEnv(CoreEnvSchema);
const database = openDatabase(env.DATABASE_URL);
await migrate(database);
provideDatabase(database);

const handler = await createShopifyAppHandler({ database });
const worker = createShopifyInboxWorker(database.db);
worker.start(1000);
// Webhooks are received in front of Remix: signature, group-committed insert into the inbox, answer.
const inbox = openInboxRecorder(database, () => worker.nudge());
// The standalone admin's expired sessions and spent sign-in links, hourly.
const sessionPurge = startSessionPurge({ db: database.db });

const server = await serveFetch((request, ctx) => handler(request, ctx), {
  port: env.PORT,
  host: env.HOST,
  // The same variables, parsed the same way, as `npm start`: TRUST_PROXY=true and TRUST_PROXY=1 both hold.
  trustProxy: env.TRUST_PROXY,
  nodeRoutes: [shopifyWebhookRoute(database.db, inbox)],
  gates: [createSignInGate()],
});
console.info(`Trailmark Shopify app listening on ${server.url}`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.info(`${signal}: stopping`);
  await server.close();
  await inbox.close();
  await sessionPurge.stop();
  await worker.stop();
  await database.close();
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
