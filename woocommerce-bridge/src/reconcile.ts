import { usesCollectionRules } from "@trailmark/core/campaigns";
import type { Db } from "@trailmark/core/db";
import { startPeriodicJob } from "@trailmark/core/jobs";
import { ingestOrder, setOrderStatus } from "@trailmark/core/orders";
import { AppError } from "@trailmark/core/shared";
import { listStores, requireStore, updateStoreCredentials } from "@trailmark/core/stores";
import { z } from "zod";
import { parseBridgeEnv } from "./env.ts";
import { normalizeWooOrder } from "./normalize-order.ts";
import type { OrderSink } from "./order-sink.ts";
import { fetchWooProductCategories, type ProductCategoriesCache, productIdsOf } from "./product-categories.ts";
import { fetchWooRefundItems, type RefundItemsCache } from "./refund-items.ts";
import { createWooClient, ORDERS_ROUTE, WOO_PAGE_SIZE, WooApiError, type WooClient } from "./woo-client.ts";
import { wooApiAccessOf, wooCredentialsOf } from "./woo-credentials.ts";
import { WooGmtDateSchema, WooIdSchema, WooOrderSchema } from "./woo-order-schema.ts";
import { repairWebhooks, type WebhookChange, webhookIdsOf } from "./woo-webhooks.ts";

// WooCommerce does not retry webhooks and disables them after repeated failures, so webhooks alone lose
// orders whenever the bridge is down. Reconciliation polls the orders modified since the last run, feeds
// them through the same normalize + ingest path (newest modification wins, so overlap is harmless), and
// switches disabled webhooks back on.

export const FIRST_SYNC_LOOKBACK_MS = 24 * 3_600_000;
/** Re-read a little before the cursor: orders saved in the same second as the last one seen, and
 * transactions that committed late, would otherwise fall between two polls. */
export const CURSOR_OVERLAP_MS = 5 * 60_000;

export interface ReconcileStoreOptions {
  db: Db;
  storeId: string;
  now?: Date;
  fetch?: typeof fetch;
  orders?: OrderSink;
  refundCache?: RefundItemsCache;
  /** Products' categories already fetched (product-categories.ts). */
  categoryCache?: ProductCategoriesCache;
}

export interface ReconcileResult {
  storeId: string;
  /** The modified_after the poll used. */
  since: Date;
  /** The cursor saved for the next run: the newest date_modified_gmt seen. */
  cursor: Date;
  orders: number;
  outcomes: Record<"created" | "updated" | "unchanged" | "stale", number>;
  /** Orders WooCommerce returned that could not be read; reported, not retried. */
  skipped: { id: string | null; error: string }[];
  webhooks: WebhookChange[];
}

/** "2024-11-20T10:04:31" as WooCommerce takes it with dates_are_gmt=true. */
export function wooGmt(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "");
}

export function reconcileWindow(lastSyncedAt: string | null | undefined, now: Date): { since: Date; cursor: Date } {
  const previous = lastSyncedAt ? new Date(lastSyncedAt) : null;
  if (!previous || Number.isNaN(previous.getTime())) {
    const since = new Date(now.getTime() - FIRST_SYNC_LOOKBACK_MS);
    return { since, cursor: since };
  }
  return { since: new Date(previous.getTime() - CURSOR_OVERLAP_MS), cursor: previous };
}

function idOf(raw: unknown): string | null {
  const id = typeof raw === "object" && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === "number" || typeof id === "string" ? String(id) : null;
}

/** A run that needs more requests than this is stopped (and retried next time from the same cursor). */
const MAX_REQUESTS = 10_000;

// What keyset paging reads of an order, with the schema's own id and date rules; the caller validates
// the whole order.
const OrderChangeSchema = z.object({ id: WooIdSchema, date_modified_gmt: WooGmtDateSchema });

/**
 * The orders modified after `since`, oldest change first, read by keyset rather than by page number: each
 * request asks again for the orders modified after the newest change read so far. With page numbers, an
 * order modified while the run pages moves to the end of the list and pulls the others forward, so the
 * first order of the next page slides onto a page already read and is never seen. WooCommerce compares
 * whole seconds, so each request re-reads the newest second and skips the changes this run has read (an
 * order changed again meanwhile is read again, in its new state); when a whole page shares one second, the
 * next page of the same query follows.
 */
export async function* ordersModifiedSince(client: WooClient, since: Date): AsyncGenerator<unknown> {
  const read = new Set<string>();
  let after = since;
  let page = 1;
  for (let requests = 1; ; requests++) {
    if (requests > MAX_REQUESTS) throw new WooApiError("store_error", `more than ${MAX_REQUESTS} pages of orders`);
    const response = await client.get(ORDERS_ROUTE, {
      modified_after: wooGmt(after),
      dates_are_gmt: true,
      orderby: "modified",
      order: "asc",
      per_page: WOO_PAGE_SIZE,
      page,
    });
    if (!Array.isArray(response.body)) throw new WooApiError("store_error", `${ORDERS_ROUTE} did not return a list`);
    let newest: Date | null = null;
    for (const raw of response.body) {
      const parsed = OrderChangeSchema.safeParse(raw);
      const modified = parsed.success ? parsed.data.date_modified_gmt : null;
      if (modified !== null && (newest === null || modified > newest)) newest = modified;
      const change = `${idOf(raw)}@${modified?.getTime() ?? "?"}`;
      if (read.has(change)) continue;
      read.add(change);
      yield raw;
    }
    if (response.body.length < WOO_PAGE_SIZE) return;
    const next = newest === null ? after : new Date(newest.getTime() - 1_000);
    if (next > after) {
      after = next;
      page = 1;
    } else page++;
  }
}

export async function reconcileStore(options: ReconcileStoreOptions): Promise<ReconcileResult> {
  const { db, storeId } = options;
  const now = options.now ?? new Date();
  const sink = options.orders ?? { ingestOrder, setOrderStatus };
  const store = await requireStore(db, storeId);
  const credentials = wooCredentialsOf(store);
  const access = wooApiAccessOf(credentials);
  if (store.platform !== "woocommerce" || !access)
    throw new AppError("invalid", `store ${storeId} is not a connected WooCommerce store`);

  try {
    const client = createWooClient({ ...access, fetch: options.fetch });
    // Products' categories are asked for only when a campaign pays by category.
    const byCategory = await usesCollectionRules(db, storeId);
    const { since, cursor: previousCursor } = reconcileWindow(credentials.lastSyncedAt, now);
    let cursor = previousCursor;
    const outcomes = { created: 0, updated: 0, unchanged: 0, stale: 0 };
    const skipped: ReconcileResult["skipped"] = [];
    let count = 0;
    for await (const raw of ordersModifiedSince(client, since)) {
      count++;
      const parsed = WooOrderSchema.safeParse(raw);
      if (!parsed.success) {
        skipped.push({
          id: idOf(raw),
          error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
        });
        continue;
      }
      let normalized: ReturnType<typeof normalizeWooOrder>;
      try {
        // A polled order must count its refunds as its webhook did: exactly, from the refunds' line items.
        const refundItems = parsed.data.refunds?.length
          ? await fetchWooRefundItems({ client, storeId, order: parsed.data, cache: options.refundCache })
          : undefined;
        const categories = byCategory
          ? await fetchWooProductCategories({
              client,
              storeId,
              productIds: productIdsOf(parsed.data),
              cache: options.categoryCache,
            })
          : undefined;
        normalized = normalizeWooOrder(parsed.data, refundItems, categories);
      } catch (error) {
        skipped.push({ id: parsed.data.id, error: error instanceof Error ? error.message : String(error) });
        continue;
      }
      const result = await sink.ingestOrder(db, storeId, normalized, { now });
      outcomes[result.outcome]++;
      if (normalized.sourceUpdatedAt > cursor) cursor = normalized.sourceUpdatedAt;
    }
    const webhooks = await repairWebhooks(client, {
      storeId,
      deliveryUrl: credentials.deliveryUrl,
      secret: credentials.webhookSecret,
    });
    // Recorded only now: a run that failed part-way starts again from the same cursor.
    await updateStoreCredentials(db, storeId, {
      // The ids as they now are at the store: `woo status` and disconnect name the recreated webhooks.
      webhookIds: webhookIdsOf(webhooks),
      lastSyncedAt: cursor.toISOString(),
      lastReconciledAt: now.toISOString(),
      lastReconcileError: null,
    });
    return { storeId, since, cursor, orders: count, outcomes, skipped, webhooks };
  } catch (error) {
    await updateStoreCredentials(db, storeId, {
      lastReconcileError: error instanceof Error ? error.message : String(error),
      lastReconcileFailedAt: now.toISOString(),
    });
    throw error;
  }
}

export interface ReconciliationOptions {
  db: Db;
  /** WOO_RECONCILE_INTERVAL_MS, 15 minutes by default. */
  intervalMs?: number;
  now?: () => Date;
  fetch?: typeof fetch;
  orders?: OrderSink;
  log?: (message: string) => void;
  /**
   * When this process first asks whether a run is due; at once by default, so a restart catches up immediately
   * unless another instance ran within the interval (runs are once per interval across instances).
   */
  firstRunDelayMs?: number;
}

export interface Reconciliation {
  /** Reconciles every connected WooCommerce store once; one store failing does not stop the others. */
  runOnce(): Promise<{ storeId: string; result?: ReconcileResult; error?: string }[]>;
  stop(): Promise<void>;
}

/** Lists the stores to poll on every run, so stores connected while the bridge runs are picked up. */
export async function connectedWooStoreIds(db: Db): Promise<string[]> {
  const stores = await listStores(db);
  return stores
    .filter(
      (s) => s.platform === "woocommerce" && s.status === "active" && wooApiAccessOf(wooCredentialsOf(s)) !== null,
    )
    .map((s) => s.id);
}

/**
 * Polls every connected WooCommerce store now and then every interval, on one instance at a time
 * (core/src/jobs/periodic-job.ts). The cursor lives in the database, so a restart resumes where the last
 * successful run stopped.
 */
export function startReconciliation(options: ReconciliationOptions): Reconciliation {
  const { db } = options;
  const intervalMs = options.intervalMs ?? parseBridgeEnv().WOO_RECONCILE_INTERVAL_MS;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((m: string) => console.warn(m));
  let stopped = false;
  let running: Promise<unknown> | null = null;

  async function runAll() {
    const results: Awaited<ReturnType<Reconciliation["runOnce"]>> = [];
    for (const storeId of await connectedWooStoreIds(db)) {
      if (stopped) break;
      try {
        const result = await reconcileStore({ db, storeId, now: now(), fetch: options.fetch, orders: options.orders });
        results.push({ storeId, result });
        const restored = result.webhooks.filter((w) => w.action === "reactivated" || w.action === "created");
        if (restored.length > 0)
          log(
            `woocommerce ${storeId}: restored webhooks ${restored.map((w) => `${w.topic} (${w.action})`).join(", ")}`,
          );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        results.push({ storeId, error: message });
        log(`woocommerce ${storeId}: reconciliation failed: ${message}`);
      }
    }
    return results;
  }

  // One run at a time: a caller arriving mid-run waits for it, then runs again.
  function runOnce() {
    const next = (running ?? Promise.resolve()).then(runAll);
    const settled = next.catch(() => undefined);
    running = settled;
    void settled.finally(() => {
      if (running === settled) running = null;
    });
    return next;
  }

  const job = startPeriodicJob({
    db,
    name: "woocommerce-reconciliation",
    intervalMs,
    run: runOnce,
    firstCheckDelayMs: options.firstRunDelayMs ?? 0,
    onError: (e: unknown) => log(`woocommerce reconciliation: ${e instanceof Error ? e.message : String(e)}`),
  });
  return {
    runOnce,
    async stop() {
      stopped = true;
      await job.stop();
      await running;
    },
  };
}
