// The inbox worker thread of `npm start` (core/src/inbox/inbox-thread.ts): Shopify and WooCommerce deliveries,
// claimed in batches and ingested per store with ingestOrders, beside the receipt's event loop.
import { providerOfDb } from "@trailmark/core/db";
import { createInboxWorker, runInboxThread } from "@trailmark/core/inbox";
import { createShopifyDeliveryHandler } from "@trailmark/shopify";
import { createWooDeliveryHandler } from "@trailmark/woocommerce";

await runInboxThread(({ db }) =>
  createInboxWorker({
    db,
    handlers: { shopify: createShopifyDeliveryHandler(db), woocommerce: createWooDeliveryHandler({ db }) },
    // A batch that is not full waits a second for more: under load the receipt keeps the inbox filling, and
    // ingesting 200 orders at once costs a fraction of 200 batches of one (bench/webhooks).
    fillMs: 1000,
    // PostgreSQL ingests two batches at once faster than one after the other (the engine's own benchmark runs
    // two in flight); SQLite has one writer anyway.
    lanes: providerOfDb(db) === "postgresql" ? 2 : 1,
  }),
);
