// Child process for inbox-processes.test.ts, run on DATABASE_URL:
// - MODE=serve: the Shopify webhook receipt as npm start mounts it, with the batch worker in the same process
//   (prints {"url"} once listening); killed with SIGKILL at random moments by the test.
// - MODE=work: only the worker, draining until the inbox has nothing due; prints one {"handled":[ids]} line
//   per batch it processed, then {"idle":true} and exits.
import { openDatabase, tuneSqlite } from "@trailmark/core/db";
import { createInboxWorker, openInboxRecorder } from "@trailmark/core/inbox";
import { serveFetch } from "@trailmark/core/server";
import { createShopifyDeliveryHandler } from "@trailmark/shopify";
import { shopifyWebhookRoute } from "./webhook-route.ts";

const database = openDatabase();
await tuneSqlite(database);
const handler = createShopifyDeliveryHandler(database.db, { log: () => {} });
const leaseMs = Number(process.env.LEASE_MS ?? 60_000);
const batchSize = Number(process.env.BATCH_SIZE ?? 200);

if (process.env.MODE === "serve") {
  const worker = createInboxWorker({
    db: database.db,
    handlers: { shopify: handler },
    leaseMs,
    batchSize,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  worker.start(50);
  const inbox = openInboxRecorder(database, () => worker.nudge());
  const server = await serveFetch(async () => new Response(null, { status: 404 }), {
    port: 0,
    host: "127.0.0.1",
    nodeRoutes: [shopifyWebhookRoute(database.db, inbox)],
  });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
} else {
  const batch = handler.batch!;
  const reporting = Object.assign(handler, {
    batch: async (deliveries: Parameters<typeof batch>[0]) => {
      process.stdout.write(`${JSON.stringify({ handled: deliveries.map((d) => d.id) })}\n`);
      return batch(deliveries);
    },
  });
  const worker = createInboxWorker({
    db: database.db,
    handlers: { shopify: reporting },
    leaseMs,
    batchSize,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  await worker.drain();
  process.stdout.write(`${JSON.stringify({ idle: true })}\n`);
  await database.close();
  process.exit(0);
}
