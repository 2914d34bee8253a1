import { z } from "zod";
import type { Db } from "../db/client.ts";
import { inboxHealth } from "../inbox/inbox.ts";
import { listApiKeys } from "../stores/api-keys.ts";
import { requireStore, type Store } from "../stores/store.ts";

// The Settings page: is tracking reaching us (the Shopify web pixel, or the site script elsewhere), are
// webhooks arriving and being processed, the store's API keys, and the WooCommerce connection. Read from the
// store's own rows and credentials only.

/** How recently a browser event must have arrived for the script to count as receiving. */
export const RECEIVING_WITHIN_MS = 7 * 86_400_000;

const PixelCredentialsSchema = z.object({
  status: z.enum(["active", "error"]),
  id: z.string().nullable().optional(),
  error: z.string().nullable().optional(),
  checkedAt: z.string(),
});

const WooCredentialsSchema = z.object({
  url: z.string().nullish(),
  consumerKey: z.string().nullish(),
  consumerSecret: z.string().nullish(),
  webhookSecret: z.string().nullish(),
  webhookIds: z.record(z.string(), z.string()).nullish(),
  connectedAt: z.string().nullish(),
  disconnectedAt: z.string().nullish(),
  lastSyncedAt: z.string().nullish(),
  lastReconciledAt: z.string().nullish(),
  lastReconcileError: z.string().nullish(),
  lastReconcileFailedAt: z.string().nullish(),
});

export interface TrackingStatus {
  /** web_pixel on Shopify (activated through the Admin API), site_script everywhere else. */
  kind: "web_pixel" | "site_script";
  /** active: set up and events arrive; error: activation failed; silent: nothing arrived lately; unknown: not set up yet. */
  state: "active" | "error" | "silent" | "unknown";
  error: string | null;
  checkedAt: string | null;
  lastEventAt: Date | null;
  /** For the site script: the tag to paste into the storefront. */
  scriptTag: string | null;
}

export interface WebhookStatus {
  pending: number;
  failed: number;
  dead: number;
  lastReceivedAt: Date | null;
  lastProcessedAt: Date | null;
  recentFailures: {
    id: string;
    topic: string;
    status: string;
    attempts: number;
    lastError: string | null;
    receivedAt: Date;
    nextAttemptAt: Date;
  }[];
}

export interface WooStatus {
  /** REST keys and webhook secret: webhooks verify and missed orders are reconciled. */
  connected: boolean;
  /** A webhook secret: signed deliveries are accepted (with or without REST keys). */
  receivesWebhooks: boolean;
  url: string | null;
  webhookTopics: string[];
  connectedAt: string | null;
  disconnectedAt: string | null;
  lastReconciledAt: string | null;
  lastReconcileError: string | null;
}

export interface SettingsData {
  store: Pick<Store, "id" | "platform" | "domain" | "name" | "currency" | "status">;
  tracking: TrackingStatus;
  webhooks: WebhookStatus;
  apiKeys: Awaited<ReturnType<typeof listApiKeys>>;
  /** Null for stores that are not WooCommerce stores. */
  woocommerce: WooStatus | null;
}

export function siteScriptTag(publicUrl: string, storeId: string): string {
  return `<script async src="${publicUrl.replace(/\/+$/, "")}/t.js" data-store="${storeId}"></script>`;
}

export function wooStatusOf(credentials: Record<string, unknown>): WooStatus {
  const parsed = WooCredentialsSchema.safeParse(credentials);
  const c = parsed.success ? parsed.data : {};
  return {
    connected: Boolean(c.url && c.consumerKey && c.consumerSecret && c.webhookSecret),
    receivesWebhooks: Boolean(c.webhookSecret),
    url: c.url ?? null,
    webhookTopics: Object.keys(c.webhookIds ?? {}).sort(),
    connectedAt: c.connectedAt ?? null,
    disconnectedAt: c.disconnectedAt ?? null,
    lastReconciledAt: c.lastReconciledAt ?? null,
    lastReconcileError: c.lastReconcileError ?? null,
  };
}

/** Pure: what the tracking card shows, from the store and the newest browser event. */
export function trackingStatusOf(
  store: Pick<Store, "id" | "platform" | "credentials">,
  lastEventAt: Date | null,
  publicUrl: string,
  now: Date,
): TrackingStatus {
  const recent = lastEventAt !== null && now.getTime() - lastEventAt.getTime() <= RECEIVING_WITHIN_MS;
  if (store.platform === "shopify") {
    const pixel = PixelCredentialsSchema.safeParse(store.credentials.pixel);
    if (!pixel.success)
      return { kind: "web_pixel", state: "unknown", error: null, checkedAt: null, lastEventAt, scriptTag: null };
    return {
      kind: "web_pixel",
      state: pixel.data.status === "error" ? "error" : "active",
      error: pixel.data.error ?? null,
      checkedAt: pixel.data.checkedAt,
      lastEventAt,
      scriptTag: null,
    };
  }
  return {
    kind: "site_script",
    state: recent ? "active" : lastEventAt ? "silent" : "unknown",
    error: null,
    checkedAt: null,
    lastEventAt,
    scriptTag: siteScriptTag(publicUrl, store.id),
  };
}

export async function settingsData(
  db: Db,
  storeId: string,
  options: { publicUrl: string; now?: Date },
): Promise<SettingsData> {
  const store = await requireStore(db, storeId);
  const [lastEvent, health, lastDone, failures, apiKeys] = await Promise.all([
    db.event.findFirst({
      where: { storeId, source: { in: ["pixel", "script"] } },
      orderBy: { occurredAt: "desc" },
      select: { occurredAt: true },
    }),
    inboxHealth(db, storeId),
    db.webhookInbox.findFirst({
      where: { storeId, status: "done" },
      orderBy: { processedAt: "desc" },
      select: { processedAt: true },
    }),
    db.webhookInbox.findMany({
      where: { storeId, status: { in: ["failed", "dead"] } },
      orderBy: { receivedAt: "desc" },
      take: 5,
      select: {
        id: true,
        topic: true,
        status: true,
        attempts: true,
        lastError: true,
        receivedAt: true,
        nextAttemptAt: true,
      },
    }),
    listApiKeys(db, storeId),
  ]);
  return {
    store: {
      id: store.id,
      platform: store.platform,
      domain: store.domain,
      name: store.name,
      currency: store.currency,
      status: store.status,
    },
    tracking: trackingStatusOf(store, lastEvent?.occurredAt ?? null, options.publicUrl, options.now ?? new Date()),
    webhooks: {
      pending: health.pending,
      failed: health.failed,
      dead: health.dead,
      lastReceivedAt: health.lastReceivedAt,
      lastProcessedAt: lastDone?.processedAt ?? null,
      recentFailures: failures,
    },
    apiKeys,
    woocommerce: store.platform === "woocommerce" ? wooStatusOf(store.credentials) : null,
  };
}
