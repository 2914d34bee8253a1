import { openDatabase } from "/work/wt/webhooks/core/src/db/client.ts";
import { createInboxWorker } from "/work/wt/webhooks/core/src/inbox/inbox.ts";
import { createShopifyDeliveryHandler } from "/work/wt/webhooks/shopify-app/app/process-webhook.server.ts";
const d = openDatabase("file:/tmp/wh/t.db");
const w = createInboxWorker({ db: d.db, handlers: { shopify: createShopifyDeliveryHandler(d.db) }, batchSize: 50, log: console.log });
console.log(await w.drain());
await d.close();
