// The server side of bench/webhooks/run.ts, in its own process: MODE=receipt serves the webhook receipts
// (Shopify and WooCommerce) with the inbox worker running beside them, wired as scripts/start.ts wires them;
// MODE=bare is the baseline, a node:http server that reads the same POST body and answers 200. Prints
// {"url"} once listening.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { openDatabase, tuneSqlite } from "@trailmark/core/db";
import { createInboxWorker, openInboxRecorder, startInboxThread } from "@trailmark/core/inbox";
import { serveFetch } from "@trailmark/core/server";
import { createShopifyDeliveryHandler } from "@trailmark/shopify";
import { shopifyWebhookRoute } from "@trailmark/shopify-app/server";
import { createWooDeliveryHandler, wooWebhookRoute } from "@trailmark/woocommerce";

if (process.env.MODE === "bare") {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      Buffer.concat(chunks);
      res.writeHead(200, { "content-length": "0" });
      res.end();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
  });
} else {
  const database = openDatabase(process.env.DATABASE_URL);
  await tuneSqlite(database);
  const { db } = database;
  // As npm start runs it: the worker on its own thread (scripts/inbox-worker.ts); IN_PROCESS=1 runs it on the
  // receipt's event loop instead, for comparison.
  let nudge: (() => void) | undefined;
  if (process.env.IN_PROCESS === "1") {
    const worker = createInboxWorker({
      db,
      handlers: {
        shopify: createShopifyDeliveryHandler(db, { log: () => {} }),
        woocommerce: createWooDeliveryHandler({ db }),
      },
    });
    worker.start();
    nudge = () => worker.nudge();
  } else if (process.env.NO_WORKER !== "1") {
    const thread = startInboxThread(new URL("../../scripts/inbox-worker.ts", import.meta.url), database.url);
    nudge = () => thread.nudge();
  }
  const inbox = openInboxRecorder(database, nudge);
  const server = await serveFetch(async () => new Response(null, { status: 404 }), {
    port: 0,
    host: "127.0.0.1",
    nodeRoutes: [shopifyWebhookRoute(db, inbox), wooWebhookRoute(db, inbox)],
  });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
}
process.once("SIGTERM", () => process.exit(0));
