import { createHmac, timingSafeEqual } from "node:crypto";
import type { Db } from "@trailmark/core/db";
import { cachedLookup, errorBody, plainAnswer, type WebhookReceipt } from "@trailmark/core/inbox";
import { findStoreByDomain } from "@trailmark/core/stores";

// Shopify's webhook receipt (core/src/inbox/receipt.ts): check the HMAC over the exact bytes in constant time,
// store the delivery keyed by its event id, answer 200. No session is loaded and the body is not parsed: the
// inbox worker does the work (process-webhook.ts). The same receipt serves every topic, the compliance
// topics and app/uninstalled included.

/** Shopify's largest order payloads stay well under this. */
export const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

/** The paths shopify.app.toml subscribes (one per topic, and one for the three compliance topics). */
export const SHOPIFY_WEBHOOK_PATHS: ReadonlySet<string> = new Set([
  "/webhooks/orders/create",
  "/webhooks/orders/paid",
  "/webhooks/orders/updated",
  "/webhooks/orders/cancelled",
  "/webhooks/refunds/create",
  "/webhooks/app/uninstalled",
  "/webhooks/app/scopes_update",
  "/webhooks/compliance",
]);

const KEPT_HEADERS = /^(x-shopify-|content-type$|user-agent$)/;
const REQUIRED_HEADERS = ["x-shopify-topic", "x-shopify-shop-domain", "x-shopify-webhook-id", "x-shopify-api-version"];
/** Event and webhook ids are UUIDs; anything much longer is not Shopify's. */
const MAX_KEY_LENGTH = 200;
const STORE_TTL_MS = 10_000;

export function shopifySignatureMatches(body: Uint8Array, header: string | undefined, secret: string): boolean {
  if (!header || !secret) return false;
  const expected = createHmac("sha256", secret).update(body).digest();
  const given = Buffer.from(header, "base64");
  // timingSafeEqual needs equal lengths; a length mismatch says nothing about the secret.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface ShopifyReceiptOptions {
  db: Db;
  /** The app's API secret (read per delivery, so a test can set it after start-up). */
  secret: () => string;
}

export function createShopifyReceipt(options: ShopifyReceiptOptions): WebhookReceipt {
  const { db } = options;
  // Which store a shop domain is, cached: the receipt tags the delivery so the admin's inbox health and the
  // privacy jobs find it; a delivery of a shop not installed yet is kept with no store.
  const storeIds = cachedLookup(
    async (shop) => (await findStoreByDomain(db, "shopify", shop))?.id ?? null,
    STORE_TTL_MS,
  );

  return {
    matches: (path) => SHOPIFY_WEBHOOK_PATHS.has(path),
    maxBytes: MAX_WEBHOOK_BYTES,
    async decide({ headers, body }) {
      // A missing signature is a failed signature: 401, like a wrong one (before any other check).
      if (!shopifySignatureMatches(body, headers["x-shopify-hmac-sha256"], options.secret())) {
        return { answer: errorBody(401, "unauthorized", "invalid webhook signature") };
      }
      for (const name of REQUIRED_HEADERS) {
        if (!headers[name]?.trim()) return { answer: errorBody(400, "invalid", `missing ${name} header`) };
      }
      if (body.byteLength === 0) return { answer: errorBody(400, "invalid", "empty webhook body") };
      const dedupKey = (headers["x-shopify-event-id"]?.trim() || headers["x-shopify-webhook-id"]!.trim()) as string;
      if (dedupKey.length > MAX_KEY_LENGTH) return { answer: errorBody(400, "invalid", "webhook id too long") };
      const shop = headers["x-shopify-shop-domain"]!.trim().toLowerCase();
      const kept: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) if (KEPT_HEADERS.test(name)) kept[name] = value;
      const storeId = await storeIds.get(shop);
      // Only known stores are remembered: the first deliveries after an install find the new store at once.
      if (storeId === null) storeIds.forget(shop);
      return {
        delivery: {
          source: "shopify",
          storeId,
          shopDomain: shop,
          topic: headers["x-shopify-topic"]!.trim().toLowerCase(),
          dedupKey,
          headers: kept,
          body,
        },
        answer: () => plainAnswer(200),
      };
    },
  };
}
