import type { Store } from "@trailmark/core/stores";
import { z } from "zod";

// What the bridge keeps in a WooCommerce store's credentials JSON. Every field is optional on read: a store
// may be half connected (connect failed mid-way) or disconnected (fields set to null).
export const WooStoreCredentialsSchema = z.object({
  /** The store's base URL as the merchant gave it, e.g. https://shop.example.com or https://example.com/shop. */
  url: z.string().nullish(),
  consumerKey: z.string().nullish(),
  consumerSecret: z.string().nullish(),
  /** The secret our webhooks sign with (not the REST consumer secret). */
  webhookSecret: z.string().nullish(),
  /** Our webhook URL at the bridge, so reconciliation can recreate a webhook the merchant deleted. */
  deliveryUrl: z.string().nullish(),
  /** topic -> WooCommerce webhook id */
  webhookIds: z.record(z.string(), z.string()).nullish(),
  /** Reconciliation cursor: the newest date_modified_gmt seen (ISO, UTC). */
  lastSyncedAt: z.string().nullish(),
  lastReconciledAt: z.string().nullish(),
  lastReconcileError: z.string().nullish(),
});
export type WooStoreCredentials = z.infer<typeof WooStoreCredentialsSchema>;

export function wooCredentialsOf(store: Pick<Store, "credentials">): WooStoreCredentials {
  const parsed = WooStoreCredentialsSchema.safeParse(store.credentials);
  return parsed.success ? parsed.data : {};
}

export interface WooApiAccess {
  url: string;
  consumerKey: string;
  consumerSecret: string;
}

/** The REST keys, or null when the store is not (or no longer) connected. */
export function wooApiAccessOf(credentials: WooStoreCredentials): WooApiAccess | null {
  const { url, consumerKey, consumerSecret } = credentials;
  return url && consumerKey && consumerSecret ? { url, consumerKey, consumerSecret } : null;
}
