// The tracking endpoints on their own: `npm start -w @trailmark/core`. `npm start` at the root serves
// them together with the Shopify app and the WooCommerce bridge.
import { CoreEnvSchema, parseEnv } from "../config/env.ts";
import { approveDueCommissions } from "../conversions/approve-due.ts";
import { openDatabase } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { tuneSqlite } from "../db/sqlite-pragmas.ts";
import { createTrackingApp } from "../http/tracking-app.ts";
import { startPeriodicJob } from "../jobs/periodic-job.ts";
import { closeRedisFromEnv } from "../redis/redis.ts";
import { serveFetch } from "./node-http.ts";
import { trackingNodeRoutes } from "./tracking-routes.ts";

const env = parseEnv(CoreEnvSchema);
const database = openDatabase(env.DATABASE_URL);
await tuneSqlite(database);
const applied = await migrate(database);
if (applied.length) console.log(`applied migrations: ${applied.join(", ")}`);
const app = createTrackingApp({ database, collectRateLimit: env.COLLECT_RATE_LIMIT });
await app.start();
const approvals = startPeriodicJob({
  db: database.db,
  name: "approval-sweep",
  intervalMs: env.APPROVAL_INTERVAL_MS,
  run: () => approveDueCommissions(database.db),
  onError: (e: unknown) => console.warn(`approval sweep failed: ${String(e)}`),
});
const server = await serveFetch(app.handler, {
  port: env.PORT,
  host: env.HOST,
  trustProxy: env.TRUST_PROXY,
  nodeRoutes: trackingNodeRoutes(app),
});
console.log(`trailmark tracking listening on ${server.url}`);

async function shutdown() {
  await approvals.stop();
  await server.close();
  await app.stop();
  await closeRedisFromEnv();
  await database.close();
  process.exit(0);
}
process.once("SIGINT", () => void shutdown());
process.once("SIGTERM", () => void shutdown());
