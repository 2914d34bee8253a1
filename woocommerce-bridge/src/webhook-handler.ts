import type { Db } from "../../core/src/db/client.ts";
import { readBodyBytes } from "../../core/src/http/body.ts";
import type { RequestContext } from "../../core/src/http/context.ts";
import { errorResponse } from "../../core/src/http/error-response.ts";
import { enqueueDelivery, type InboxWorker } from "../../core/src/inbox/inbox.ts";
import { AppError } from "../../core/src/shared/errors.ts";
import { getStore } from "../../core/src/stores/store.ts";
import { isOrderTopic, wooDedupKey } from "./delivery-key.ts";
import { isValidWooSignature, isWooPing } from "./verify-signature.ts";
import { wooCredentialsOf } from "./woo-credentials.ts";

// POST /woocommerce/webhooks/<store id>. WooCommerce does not retry and disables a webhook after more than
// five failed deliveries in a row, so the answer must be quick and 2xx for anything genuine: deliveries are
// stored in the inbox and processed by the worker, never here.

export const MAX_WEBHOOK_BYTES = 1024 * 1024;
export const WEBHOOK_PATH = /^\/woocommerce\/webhooks\/([A-Za-z0-9_-]{1,100})\/?$/;
const KEPT_HEADERS = /^(x-wc-webhook-|user-agent$|content-type$)/;

export interface WooWebhookHandlerOptions {
  db: Db;
  /** When given, a new delivery nudges the worker so that it is processed within moments. */
  worker?: Pick<InboxWorker, "drain">;
  log?: (message: string) => void;
}

export type WooWebhookHandler = (request: Request, ctx?: RequestContext) => Promise<Response>;

export function storeIdFromWebhookPath(pathname: string): string | null {
  return WEBHOOK_PATH.exec(pathname)?.[1] ?? null;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
}

export function createWooWebhookHandler(options: WooWebhookHandlerOptions): WooWebhookHandler {
  const { db, worker } = options;
  const log = options.log ?? ((m: string) => console.warn(m));

  return async (request) => {
    try {
      const storeId = storeIdFromWebhookPath(new URL(request.url).pathname);
      const body = await readBodyBytes(request, MAX_WEBHOOK_BYTES);
      // The ping carries nothing to verify and its only purpose is to see a 200; anything else makes
      // WooCommerce's admin screen report the webhook as broken.
      if (isWooPing(request.headers, body)) return json(200, { ok: true });

      const store = storeId ? await getStore(db, storeId) : null;
      if (store?.platform !== "woocommerce") throw new AppError("not_found", "unknown store");
      const { webhookSecret } = wooCredentialsOf(store);
      if (!isValidWooSignature(body, webhookSecret ?? "", request.headers.get("x-wc-webhook-signature"))) {
        throw new AppError("unauthorized", "invalid webhook signature");
      }

      const topic = request.headers.get("x-wc-webhook-topic");
      // Other topics (someone pointed a product webhook here) are acknowledged so they do not count as
      // failures, but there is nothing to do with them.
      if (!isOrderTopic(topic)) return json(200, { received: true, ignored: true });

      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        if (KEPT_HEADERS.test(name)) headers[name] = value;
      });
      const dedupKey = wooDedupKey({
        storeId: store.id,
        topic,
        body,
        deliveryId: request.headers.get("x-wc-webhook-delivery-id"),
      });
      const { duplicate } = await enqueueDelivery(db, {
        source: "woocommerce",
        storeId: store.id,
        topic,
        dedupKey,
        headers,
        body,
      });
      if (worker && !duplicate) {
        worker
          .drain()
          .catch((e: unknown) =>
            log(`woocommerce webhook: worker drain failed: ${e instanceof Error ? e.message : String(e)}`),
          );
      }
      return json(200, { received: true, duplicate });
    } catch (error) {
      return errorResponse(error);
    }
  };
}
