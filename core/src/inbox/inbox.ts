import { type Db, joinSql, providerOfDb, sql } from "../db/client.ts";
import { isUniqueViolation } from "../shared/db-errors.ts";
import { newOrderedId } from "../shared/ordered-ids.ts";
import { keptHeadersJson } from "./kept-headers.ts";

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

/**
 * Stores one delivery through Prisma (scripts and tests; the receipt group-commits through an InboxRecorder);
 * a second delivery with the same key is reported as a duplicate and not stored.
 */
export async function enqueueDelivery(db: Db, input: DeliveryInput): Promise<{ id: string; duplicate: boolean }> {
  try {
    const row = await db.webhookInbox.create({
      data: {
        id: newOrderedId("wh"),
        storeId: input.storeId,
        shopDomain: input.shopDomain?.trim().toLowerCase() ?? null,
        source: input.source,
        topic: input.topic,
        dedupKey: input.dedupKey,
        headers: keptHeadersJson(input.headers),
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

/**
 * A delivery that can never succeed (its body is not JSON): marked dead at once with this reason instead
 * of being retried MAX_ATTEMPTS times.
 */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentDeliveryError";
  }
}

/** Per delivery of a batch: null when it succeeded, else its error (thrown errors mean "retry later"). */
export type DeliveryOutcome = unknown | null;

/**
 * Processes one delivery; throwing means "retry later". A handler may also take a whole batch (deliveries of
 * one source and store, in arrival order) and answer an outcome for each, so that one failure does not fail
 * its neighbours.
 */
export type DeliveryHandler = ((delivery: Delivery) => Promise<void>) & {
  batch?: (deliveries: readonly Delivery[]) => Promise<DeliveryOutcome[]>;
};

export interface InboxWorkerOptions {
  db: Db;
  handlers: Partial<Record<InboxSource, DeliveryHandler>>;
  now?: () => Date;
  /** How long a claimed delivery is hidden from other workers while it is processed. */
  leaseMs?: number;
  /** Most deliveries claimed at once. */
  batchSize?: number;
  /** Batches processed at once by this process (each claims its own). */
  lanes?: number;
  /**
   * After a batch smaller than batchSize, how long to wait for more deliveries before claiming again (ingestion
   * costs a fixed number of statements per batch, so a trickle of one-delivery batches costs far more per
   * order than the same deliveries taken together a moment later).
   */
  fillMs?: number;
  log?: (message: string) => void;
}

export interface InboxWorker {
  /** Processes every delivery that is due; returns how many were handled (succeeded or failed). */
  drain(): Promise<number>;
  /** Asks for a drain soon (after new deliveries were stored); cheap to call often. */
  nudge(): void;
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

// A claimed row as the claim statement returns it. The body comes as hex: the Prisma driver adapters turn a
// Bytes column into an array of numbers, one element per byte, which for a batch of order payloads cost more
// CPU than the rest of reading them; a hex string is decoded natively.
interface ClaimedRow {
  id: string;
  source: string;
  storeId: string | null;
  topic: string;
  dedupKey: string;
  headers: string;
  bodyHex: string;
  attempts: number | bigint;
  receivedAt: Date | number | string;
}

function deliveryOf(row: ClaimedRow): Delivery {
  const body = Buffer.from(row.bodyHex, "hex");
  return {
    id: row.id,
    source: row.source as InboxSource,
    storeId: row.storeId,
    topic: row.topic,
    dedupKey: row.dedupKey,
    headers: JSON.parse(row.headers) as Record<string, string>,
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    attempts: Number(row.attempts),
  };
}

/** Arrival order: receivedAt, then id. */
function byArrival(a: ClaimedRow, b: ClaimedRow): number {
  const at = new Date(a.receivedAt).getTime() - new Date(b.receivedAt).getTime();
  return at !== 0 ? at : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function createInboxWorker(options: InboxWorkerOptions): InboxWorker {
  const { db, handlers } = options;
  const now = options.now ?? (() => new Date());
  const leaseMs = options.leaseMs ?? 60_000;
  const batchSize = options.batchSize ?? 200;
  const lanes = options.lanes ?? 1;
  const fillMs = options.fillMs ?? 0;
  const log = options.log ?? ((m: string) => console.warn(m));
  const postgres = providerOfDb(db) === "postgresql";
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let again = false;

  // Claiming moves the due deliveries' next attempt past the lease and counts the attempt, in one statement:
  // a worker that dies mid-batch leaves them to be claimed again once the lease ends. On PostgreSQL, SKIP
  // LOCKED lets several workers (processes) claim at once, each taking rows no other is taking; SQLite
  // serializes writers, so the statement alone is atomic.
  async function claim(): Promise<Delivery[]> {
    const t = now();
    const lease = new Date(t.getTime() + leaseMs);
    const lock = postgres ? sql` FOR UPDATE SKIP LOCKED` : sql``;
    const bodyHex = postgres ? sql`encode("body", 'hex')` : sql`hex("body")`;
    const claimed = await db.$queryRaw<ClaimedRow[]>(
      sql`UPDATE "WebhookInbox" SET "attempts" = "attempts" + 1, "nextAttemptAt" = ${lease} WHERE "id" IN (SELECT "id" FROM "WebhookInbox" WHERE "status" IN ('pending', 'failed') AND "nextAttemptAt" <= ${t} ORDER BY "receivedAt", "id" LIMIT ${batchSize}${lock}) RETURNING "id", "source", "storeId", "topic", "dedupKey", "headers", ${bodyHex} AS "bodyHex", "attempts", "receivedAt"`,
    );
    return claimed.sort(byArrival).map(deliveryOf);
  }

  async function outcomesOf(deliveries: readonly Delivery[]): Promise<DeliveryOutcome[]> {
    const handler = handlers[deliveries[0]!.source];
    if (!handler) return deliveries.map((d) => new Error(`no handler for ${d.source} deliveries`));
    if (handler.batch) {
      try {
        return await handler.batch(deliveries);
      } catch (error) {
        // A batch handler reports failures per delivery; one that throws fails the whole batch for a retry.
        return deliveries.map(() => error);
      }
    }
    const outcomes: DeliveryOutcome[] = [];
    for (const d of deliveries) {
      try {
        await handler(d);
        outcomes.push(null);
      } catch (error) {
        outcomes.push(error);
      }
    }
    return outcomes;
  }

  async function settle(deliveries: readonly Delivery[], outcomes: readonly DeliveryOutcome[]): Promise<void> {
    const done: string[] = [];
    for (let i = 0; i < deliveries.length; i++) {
      const d = deliveries[i]!;
      const error = outcomes[i];
      if (error === null || error === undefined) {
        done.push(d.id);
        continue;
      }
      const message = error instanceof Error ? error.message : String(error);
      const dead = error instanceof PermanentDeliveryError || d.attempts >= MAX_ATTEMPTS;
      log(
        `inbox ${d.source} ${d.topic} ${d.id} failed (attempt ${d.attempts}${dead ? ", giving up" : ""}): ${message}`,
      );
      await db.webhookInbox.update({
        where: { id: d.id },
        data: {
          status: dead ? "dead" : "failed",
          lastError: message.slice(0, 2000),
          nextAttemptAt: new Date(now().getTime() + retryDelayMs(d.attempts)),
        },
      });
    }
    // As raw SQL: Prisma's query compiler costs more CPU for an updateMany over a batch's ids than the update.
    const processedAt = now();
    for (let i = 0; i < done.length; i += 500) {
      await db.$executeRaw(
        sql`UPDATE "WebhookInbox" SET "status" = 'done', "processedAt" = ${processedAt}, "lastError" = NULL WHERE "id" IN (${joinSql(done.slice(i, i + 500))})`,
      );
    }
  }

  // A claimed batch is split by source and store (in arrival order within each) and each part goes to its
  // handler in one call.
  async function processBatch(deliveries: readonly Delivery[]): Promise<void> {
    const groups = new Map<string, Delivery[]>();
    for (const d of deliveries) {
      const key = `${d.source}\u0000${d.storeId ?? ""}`;
      const group = groups.get(key);
      if (group) group.push(d);
      else groups.set(key, [d]);
    }
    for (const group of groups.values()) await settle(group, await outcomesOf(group));
  }

  async function lane(): Promise<number> {
    let handled = 0;
    for (;;) {
      const batch = await claim();
      if (batch.length === 0) return handled;
      await processBatch(batch);
      handled += batch.length;
      if (batch.length < batchSize && fillMs > 0) await new Promise((resolve) => setTimeout(resolve, fillMs));
    }
  }

  async function drainOnce(): Promise<number> {
    let handled = 0;
    do {
      again = false;
      const counts = await Promise.all(Array.from({ length: lanes }, () => lane()));
      handled += counts.reduce((a, b) => a + b, 0);
    } while (again);
    return handled;
  }

  return {
    drain() {
      // One drain at a time per process; a caller arriving mid-drain waits for it and then drains again.
      const next = (running ?? Promise.resolve(0)).then(() => drainOnce());
      const settled = next.finally(() => {
        if (running === settled) running = null;
      });
      running = settled;
      return next;
    },
    nudge() {
      if (running) again = true;
      else this.drain().catch((e: unknown) => log(`inbox worker: ${e instanceof Error ? e.message : String(e)}`));
    },
    start(intervalMs = 1000) {
      if (timer) return;
      timer = setInterval(() => {
        if (!running) this.nudge();
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
