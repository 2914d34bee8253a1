import type { Db } from "../../core/src/db/client.ts";
import type { InboxRecorder } from "../../core/src/inbox/inbox-recorder.ts";
import { receiptRoute } from "../../core/src/inbox/receipt.ts";
import type { NodeRoute } from "../../core/src/server/node-http.ts";
import { getEnv } from "../app/env.server.ts";
import { createShopifyReceipt } from "../app/webhook-receipt.server.ts";

/** Shopify's webhook receipt as a node:http route in front of Remix (server.ts, scripts/start.ts). */
export function shopifyWebhookRoute(db: Db, recorder: InboxRecorder): NodeRoute {
  return receiptRoute(createShopifyReceipt({ db, secret: () => getEnv().SHOPIFY_API_SECRET }), recorder);
}
