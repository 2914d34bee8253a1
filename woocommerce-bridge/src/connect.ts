import { randomBytes } from "node:crypto";
import type { Db } from "@trailmark/core/db";
import { AppError } from "@trailmark/core/shared";
import { createStore, requireStore, type Store, setStoreStatus, updateStoreCredentials } from "@trailmark/core/stores";
import { z } from "zod";
import { createWooClient, WooApiError } from "./woo-client.ts";
import { wooApiAccessOf, wooCredentialsOf } from "./woo-credentials.ts";
import { deliveryUrlFor, ensureWebhooks, removeWebhooks, type WebhookChange, webhookIdsOf } from "./woo-webhooks.ts";

// Connecting a WooCommerce store: check the REST keys, create (or find) the store, give it a webhook secret
// of its own and make its four order webhooks point at the bridge. Safe to run again: it repairs rather
// than duplicates.

export interface ConnectStoreOptions {
  db: Db;
  /** The shop's address, e.g. https://shop.example.com */
  url: string;
  /** REST API consumer key (ck_…) and secret (cs_…) with Read/Write permission. */
  key: string;
  secret: string;
  /** Where the bridge is reachable from the internet; webhooks and the site script point here. */
  publicUrl: string;
  name?: string;
  fetch?: typeof fetch;
}

export interface ConnectStoreResult {
  store: Store;
  /** false when the store was already known (a reconnect). */
  created: boolean;
  deliveryUrl: string;
  webhooks: WebhookChange[];
  woocommerceVersion: string | null;
  /** The line the merchant adds to the theme (or a header/footer plugin). */
  scriptTag: string;
  warnings: string[];
}

const SystemStatusSchema = z.object({
  environment: z.object({ version: z.string().nullish(), home_url: z.string().nullish() }).partial().nullish(),
  settings: z.object({ currency: z.string().nullish() }).partial().nullish(),
});

export function scriptTagFor(publicUrl: string, storeId: string): string {
  return `<script async src="${publicUrl.replace(/\/+$/, "")}/t.js" data-store="${storeId}"></script>`;
}

function parsePublicUrl(publicUrl: string): string {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new AppError(
      "invalid",
      `public URL "${publicUrl}" is not a URL; set it to the bridge's address, such as https://track.example.com`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new AppError("invalid", `public URL "${publicUrl}" must start with https://`);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

// wp_safe_remote_post, which delivers webhooks, refuses loopback and private addresses.
function isPrivateHost(hostname: string): boolean {
  return (
    /^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|\[::1\]|0\.0\.0\.0)/.test(hostname) ||
    hostname.endsWith(".local")
  );
}

function checkKeys(key: string, secret: string): void {
  if (!/^ck_[A-Za-z0-9]+$/.test(key.trim()))
    throw new AppError(
      "invalid",
      "the consumer key should look like ck_… (WooCommerce → Settings → Advanced → REST API)",
    );
  if (!/^cs_[A-Za-z0-9]+$/.test(secret.trim()))
    throw new AppError(
      "invalid",
      "the consumer secret should look like cs_… (WooCommerce → Settings → Advanced → REST API)",
    );
}

export async function connectStore(options: ConnectStoreOptions): Promise<ConnectStoreResult> {
  const { db } = options;
  checkKeys(options.key, options.secret);
  const publicUrl = parsePublicUrl(options.publicUrl);
  const key = options.key.trim();
  const secret = options.secret.trim();
  const client = createWooClient({ url: options.url, consumerKey: key, consumerSecret: secret, fetch: options.fetch });

  // system_status needs valid keys and WooCommerce, and tells us the shop currency and version.
  const status = SystemStatusSchema.safeParse((await client.get("/wc/v3/system_status")).body);
  const currency = status.success ? status.data.settings?.currency?.toUpperCase() : undefined;
  const { store: found, created } = await createStore(db, {
    platform: "woocommerce",
    domain: client.baseUrl,
    name: options.name,
    currency: currency && /^[A-Z]{3}$/.test(currency) ? currency : undefined,
  });
  if (found.status !== "active") await setStoreStatus(db, found.id, "active");

  const deliveryUrl = deliveryUrlFor(publicUrl, found.id);
  // Reused across reconnects so that deliveries already queued in WooCommerce keep verifying. base64url
  // because WooCommerce signs with wp_specialchars_decode(secret): "&amp;" in a secret would change it.
  const webhookSecret = wooCredentialsOf(found).webhookSecret || randomBytes(32).toString("base64url");
  // Saved before the webhooks exist: a delivery can arrive the moment they do.
  await updateStoreCredentials(db, found.id, {
    url: client.baseUrl,
    consumerKey: key,
    consumerSecret: secret,
    webhookSecret,
    deliveryUrl,
  });
  const webhooks = await ensureWebhooks(client, { storeId: found.id, deliveryUrl, secret: webhookSecret });
  const webhookIds = webhookIdsOf(webhooks);
  const store = await updateStoreCredentials(db, found.id, { webhookIds, connectedAt: new Date().toISOString() });

  const warnings: string[] = [];
  if (isPrivateHost(new URL(publicUrl).hostname)) {
    warnings.push(
      `${publicUrl} is a private address: WooCommerce will not deliver webhooks to it, so orders arrive only by reconciliation`,
    );
  }
  return {
    store,
    created,
    deliveryUrl,
    webhooks,
    woocommerceVersion: status.success ? (status.data.environment?.version ?? null) : null,
    scriptTag: scriptTagFor(publicUrl, store.id),
    warnings,
  };
}

export interface DisconnectStoreOptions {
  db: Db;
  storeId: string;
  /** Forget the store's keys even when its webhooks cannot be deleted (store down, keys revoked). */
  force?: boolean;
  fetch?: typeof fetch;
}

export interface DisconnectStoreResult {
  store: Store;
  removedWebhookIds: string[];
  warnings: string[];
}

export async function disconnectStore(options: DisconnectStoreOptions): Promise<DisconnectStoreResult> {
  const { db, storeId } = options;
  const store = await requireStore(db, storeId);
  if (store.platform !== "woocommerce")
    throw new AppError("invalid", `store ${storeId} is a ${store.platform} store, not WooCommerce`);
  const credentials = wooCredentialsOf(store);
  const access = wooApiAccessOf(credentials);
  const warnings: string[] = [];
  let removedWebhookIds: string[] = [];
  if (access) {
    const client = createWooClient({ ...access, fetch: options.fetch });
    try {
      removedWebhookIds = await removeWebhooks(client, {
        storeId,
        knownIds: Object.values(credentials.webhookIds ?? {}),
      });
    } catch (error) {
      if (!options.force || !(error instanceof WooApiError)) throw error;
      warnings.push(
        `webhooks were not deleted (${error.message}); without the secret their deliveries are now refused, and WooCommerce disables them after a few failures`,
      );
    }
  } else {
    warnings.push("the store has no API keys on record; nothing was removed from WooCommerce");
  }
  // Without the secret every later delivery is refused with 401.
  const updated = await updateStoreCredentials(db, storeId, {
    consumerKey: null,
    consumerSecret: null,
    webhookSecret: null,
    webhookIds: null,
    disconnectedAt: new Date().toISOString(),
  });
  await setStoreStatus(db, storeId, "uninstalled");
  return { store: { ...updated, status: "uninstalled" }, removedWebhookIds, warnings };
}
