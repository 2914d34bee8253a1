import type { Db } from "@trailmark/core/db";
import type { InboxRecorder } from "@trailmark/core/inbox";
import { receiptRoute } from "@trailmark/core/inbox";
import type { NodeRoute } from "@trailmark/core/server";
import { createShopifyReceipt } from "@trailmark/shopify";
import { getEnv } from "../app/env.server.ts";

/** Shopify's webhook receipt as a node:http route in front of Remix (server.ts, scripts/start.ts). */
export function shopifyWebhookRoute(db: Db, recorder: InboxRecorder): NodeRoute {
  return receiptRoute(createShopifyReceipt({ db, secret: () => getEnv().SHOPIFY_API_SECRET }), recorder);
}
