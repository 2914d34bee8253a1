import type { Db } from "../db/client.ts";
import { isUniqueViolation } from "../shared/db-errors.ts";
import { newId } from "../shared/ids.ts";

// Webhook deliveries are stored verbatim before they are acknowledged, then processed by a worker, so a
// delivery that was answered 200 is never lost and a failure is retried and visible.
export const INBOX_SOURCES = ["shopify", "woocommerce"] as const;
export type InboxSource = (typeof INBOX_SOURCES)[number];

export interface DeliveryInput {
  source: InboxSource;
  storeId: string | null;
  /** The Shopify shop that sent it: the compliance webhooks find deliveries held before the store existed by it. */
  shopDomain?: string | null;
  topic: string;
  /** Unique per source: Shopify's event id, WooCommerce's store + order + a hash of the body. */
  dedupKey: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface Delivery {
  id: string;
  source: InboxSource;
  storeId: string | null;
  topic: string;
  dedupKey: string;
  headers: Record<string, string>;
  body: Uint8Array;
  attempts: number;
}

export const MAX_ATTEMPTS = 10;
const SECRET_HEADERS = /hmac|signature|authorization|cookie|token/i;

/** Stores a delivery; a second delivery with the same key is reported as a duplicate and not stored. */
export async function enqueueDelivery(db: Db, input: DeliveryInput): Promise<{ id: string; duplicate: boolean }> {
  const headers = Object.fromEntries(Object.entries(input.headers).filter(([k]) => !SECRET_HEADERS.test(k)));
  try {
    const row = await db.webhookInbox.create({
      data: {
        id: newId("wh"),
        storeId: input.storeId,
        shopDomain: input.shopDomain?.trim().toLowerCase() ?? null,
        source: input.source,
        topic: input.topic,
        dedupKey: input.dedupKey,
        headers: JSON.stringify(headers),
        body: Buffer.from(input.body),
      },
      select: { id: true },
    });
    return { id: row.id, duplicate: false };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const existing = await db.webhookInbox.findUnique({
      where: { source_dedupKey: { source: input.source, dedupKey: input.dedupKey } },
      select: { id: true },
    });
    return { id: existing?.id ?? "", duplicate: true };
  }
}

/** Exponential backoff: 2 s, 4 s, 8 s … capped at one hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(2 ** attempts * 1000, 3_600_000);
}

export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

export interface InboxWorkerOptions {
  db: Db;
  handlers: Partial<Record<InboxSource, DeliveryHandler>>;
  now?: () => Date;
  /** How long a claimed delivery is hidden from other workers while it is processed. */
  leaseMs?: number;
  batchSize?: number;
  log?: (message: string) => void;
}

export interface InboxWorker {
  /** Processes every delivery that is due; returns how many were handled (succeeded or failed). */
  drain(): Promise<number>;
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

export function createInboxWorker(options: InboxWorkerOptions): InboxWorker {
  const { db, handlers } = options;
  const now = options.now ?? (() => new Date());
  const leaseMs = options.leaseMs ?? 60_000;
  const batchSize = options.batchSize ?? 50;
  const log = options.log ?? ((m: string) => console.warn(m));
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;

  async function processOne(row: {
    id: string;
    attempts: number;
    source: string;
    storeId: string | null;
    topic: string;
    dedupKey: string;
    headers: string;
    body: Uint8Array;
  }): Promise<boolean> {
    const t = now();
    // Claiming is a conditional update: of two workers, only one sees count 1.
    const claimed = await db.webhookInbox.updateMany({
      where: { id: row.id, attempts: row.attempts, status: { in: ["pending", "failed"] } },
      data: { attempts: row.attempts + 1, nextAttemptAt: new Date(t.getTime() + leaseMs) },
    });
    if (claimed.count !== 1) return false;
    const handler = handlers[row.source as InboxSource];
    try {
      if (!handler) throw new Error(`no handler for ${row.source} deliveries`);
      await handler({
        id: row.id,
        source: row.source as InboxSource,
        storeId: row.storeId,
        topic: row.topic,
        dedupKey: row.dedupKey,
        headers: JSON.parse(row.headers) as Record<string, string>,
        body: new Uint8Array(row.body),
        attempts: row.attempts + 1,
      });
      await db.webhookInbox.update({
        where: { id: row.id },
        data: { status: "done", processedAt: now(), lastError: null },
      });
    } catch (error) {
      const attempts = row.attempts + 1;
      const message = error instanceof Error ? error.message : String(error);
      const dead = attempts >= MAX_ATTEMPTS;
      log(
        `inbox ${row.source} ${row.topic} ${row.id} failed (attempt ${attempts}${dead ? ", giving up" : ""}): ${message}`,
      );
      await db.webhookInbox.update({
        where: { id: row.id },
        data: {
          status: dead ? "dead" : "failed",
          lastError: message.slice(0, 2000),
          nextAttemptAt: new Date(now().getTime() + retryDelayMs(attempts)),
        },
      });
    }
    return true;
  }

  async function drainOnce(): Promise<number> {
    let handled = 0;
    for (;;) {
      const due = await db.webhookInbox.findMany({
        where: { status: { in: ["pending", "failed"] }, nextAttemptAt: { lte: now() } },
        orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
        take: batchSize,
      });
      if (due.length === 0) return handled;
      for (const row of due) if (await processOne(row)) handled++;
      if (due.length < batchSize) return handled;
    }
  }

  return {
    drain() {
      // One drain at a time per process; a caller arriving mid-drain waits for it and then drains again.
      const next = (running ?? Promise.resolve(0)).then(() => drainOnce());
      running = next.finally(() => {
        if (running === next) running = null;
      });
      return next;
    },
    start(intervalMs = 1000) {
      if (timer) return;
      timer = setInterval(() => {
        this.drain().catch((e: unknown) => log(`inbox worker: ${e instanceof Error ? e.message : String(e)}`));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}

export interface InboxHealth {
  pending: number;
  failed: number;
  dead: number;
  lastReceivedAt: Date | null;
}

export async function inboxHealth(db: Db, storeId: string): Promise<InboxHealth> {
  const [pending, failed, dead, last] = await Promise.all([
    db.webhookInbox.count({ where: { storeId, status: "pending" } }),
    db.webhookInbox.count({ where: { storeId, status: "failed" } }),
    db.webhookInbox.count({ where: { storeId, status: "dead" } }),
    db.webhookInbox.findFirst({ where: { storeId }, orderBy: { receivedAt: "desc" }, select: { receivedAt: true } }),
  ]);
  return { pending, failed, dead, lastReceivedAt: last?.receivedAt ?? null };
}
