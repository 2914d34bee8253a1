import type { Db } from "@trailmark/core/db";
import { providerOfDb } from "@trailmark/core/db";
import type { RequestContext } from "@trailmark/core/http";
import { toResponse } from "@trailmark/core/http";
import type { InboxWorker } from "@trailmark/core/inbox";
import {
  cachedLookup,
  createInboxRecorder,
  errorBody,
  type InboxRecorder,
  plainAnswer,
  prismaInboxWriter,
  receiveFetch,
  type WebhookReceipt,
} from "@trailmark/core/inbox";
import { getStore } from "@trailmark/core/stores";
import { isOrderTopic, wooDedupKey } from "./delivery-key.ts";
import { isValidWooSignature, isWooPing } from "./verify-signature.ts";
import { wooCredentialsOf } from "./woo-credentials.ts";

// POST /woocommerce/webhooks/<store id>. WooCommerce does not retry and disables a webhook after more than
// five failed deliveries in a row, so the answer must be quick and 2xx for anything genuine: the receipt
// (core/src/inbox/receipt.ts) verifies and stores the delivery, and the inbox worker processes it.

export const MAX_WEBHOOK_BYTES = 1024 * 1024;
export const WEBHOOK_PATH = /^\/woocommerce\/webhooks\/([A-Za-z0-9_-]{1,100})\/?$/;
const KEPT_HEADERS = /^(x-wc-webhook-|user-agent$|content-type$)/;
const STORE_TTL_MS = 10_000;

export function storeIdFromWebhookPath(pathname: string): string | null {
  return WEBHOOK_PATH.exec(pathname)?.[1] ?? null;
}

/** WooCommerce's receipt: the store's webhook secret is read through a short cache, never per delivery. */
export function createWooReceipt(options: { db: Db }): WebhookReceipt {
  const { db } = options;
  const secrets = cachedLookup(async (storeId) => {
    const store = await getStore(db, storeId);
    return store?.platform === "woocommerce" ? (wooCredentialsOf(store).webhookSecret ?? "") : null;
  }, STORE_TTL_MS);

  async function verified(storeId: string, body: Uint8Array, signature: string | null): Promise<boolean | null> {
    const secret = await secrets.get(storeId);
    if (secret !== null && isValidWooSignature(body, secret, signature)) return true;
    // Unknown store, or a signature that fails against the cached secret: read the store again once, so a
    // store connected or a secret rotated a moment ago is honoured at once.
    secrets.forget(storeId);
    const fresh = await secrets.get(storeId);
    if (fresh === null) {
      secrets.forget(storeId);
      return null;
    }
    return isValidWooSignature(body, fresh, signature);
  }

  return {
    matches: (path) => WEBHOOK_PATH.test(path),
    maxBytes: MAX_WEBHOOK_BYTES,
    async decide({ path, headers, body }) {
      const storeId = storeIdFromWebhookPath(path);
      if (storeId === null) return { answer: errorBody(404, "not_found", `no route for ${path}`) };
      // The ping carries nothing to verify and its only purpose is to see a 200; anything else makes
      // WooCommerce's admin screen report the webhook as broken.
      if (isWooPing({ has: (name) => headers[name] !== undefined }, body))
        return { answer: plainAnswer(200, { ok: true }) };
      const signature = headers["x-wc-webhook-signature"] ?? null;
      const ok = await verified(storeId, body, signature);
      if (ok === null) return { answer: errorBody(404, "not_found", "unknown store") };
      if (!ok) return { answer: errorBody(401, "unauthorized", "invalid webhook signature") };

      const topic = headers["x-wc-webhook-topic"] ?? null;
      // Other topics (someone pointed a product webhook here) are acknowledged so they do not count as
      // failures, but there is nothing to do with them.
      if (!isOrderTopic(topic)) return { answer: plainAnswer(200, { received: true, ignored: true }) };
      const kept: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) if (KEPT_HEADERS.test(name)) kept[name] = value;
      const dedupKey = wooDedupKey({ storeId, topic, body, deliveryId: headers["x-wc-webhook-delivery-id"] ?? null });
      return {
        delivery: { source: "woocommerce", storeId, topic, dedupKey, headers: kept, body },
        answer: ({ duplicate }) => plainAnswer(200, { received: true, duplicate }),
      };
    },
  };
}

export interface WooWebhookHandlerOptions {
  db: Db;
  /** When given, a new delivery nudges the worker so that it is processed within moments. */
  worker?: Pick<InboxWorker, "drain"> & Partial<Pick<InboxWorker, "nudge">>;
  /** Where deliveries are stored; a Prisma-backed recorder of its own otherwise. */
  recorder?: InboxRecorder;
  log?: (message: string) => void;
}

export type WooWebhookHandler = (request: Request, ctx?: RequestContext) => Promise<Response>;

/** Nudges a worker after a group with new deliveries is stored. */
export function nudgeOf(worker: WooWebhookHandlerOptions["worker"], log: (m: string) => void): () => void {
  return () => {
    if (!worker) return;
    if (worker.nudge) worker.nudge();
    else
      worker
        .drain()
        .catch((e: unknown) =>
          log(`woocommerce webhook: worker drain failed: ${e instanceof Error ? e.message : String(e)}`),
        );
  };
}

/** The receipt as a fetch handler (the bridge's fetch surface; npm start serves it as a node:http route). */
export function createWooWebhookHandler(options: WooWebhookHandlerOptions): WooWebhookHandler {
  const { db } = options;
  const log = options.log ?? ((m: string) => console.warn(m));
  const receipt = createWooReceipt({ db });
  const recorder =
    options.recorder ??
    createInboxRecorder({
      writer: prismaInboxWriter(db),
      provider: providerOfDb(db),
      onStored: nudgeOf(options.worker, log),
    });
  return async (request) => toResponse(await receiveFetch(receipt, recorder, request));
}
