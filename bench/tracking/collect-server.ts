// The collector in its own process for bench/tracking/collect.ts: prints {"url","storeId"} once it listens,
// and {"idle":true} after each "idle" line on stdin once queued follow-up work is done.
import { createInterface } from "node:readline";
import { openDatabase } from "../../core/src/db/client.ts";
import { tuneSqlite } from "../../core/src/db/sqlite-pragmas.ts";
import { createTrackingApp } from "../../core/src/http/tracking-app.ts";
import { serveFetch } from "../../core/src/server/node-http.ts";
import { trackingNodeRoutes } from "../../core/src/server/tracking-routes.ts";
import { createStore } from "../../core/src/stores/store.ts";

const database = openDatabase(process.env.DATABASE_URL);
await tuneSqlite(database);
const { store } = await createStore(database.db, { platform: "custom", domain: "bench-shop.example.com" });
// The rate limit protects stores from one address; the benchmark is one address by design.
const app = createTrackingApp({ database, collectRateLimit: 1_000_000_000 });
await app.start();
const server = await serveFetch(app.handler, { port: 0, host: "127.0.0.1", nodeRoutes: trackingNodeRoutes(app) });
process.stdout.write(`${JSON.stringify({ url: server.url, storeId: store.id })}\n`);
createInterface({ input: process.stdin }).on("line", async (line) => {
  if (line !== "idle") return;
  await app.idle();
  process.stdout.write(`${JSON.stringify({ idle: true })}\n`);
});
process.once("SIGINT", () => process.exit(0));
process.once("SIGTERM", () => process.exit(0));
