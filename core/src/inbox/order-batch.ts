import type { Db } from "../db/client.ts";
import { ingestOrder, ingestOrders } from "../orders/ingest-order.ts";
import type { NormalizedOrderInput } from "../orders/normalized-order.ts";
import type { Delivery, DeliveryOutcome } from "./inbox.ts";

// The worker's set-based path for order webhooks: every order snapshot of a batch (one store, arrival order)
// goes through ingestOrders in one call, and only what fails is taken apart.

/** What one delivery asks for: an order snapshot to ingest with the batch's others, or work of its own. */
export type DeliveryWork = { order: NormalizedOrderInput } | { run(): Promise<void> };

/**
 * Walks a batch in arrival order. Order snapshots are collected and ingested together; a delivery with work
 * of its own (a refund, a compliance request, an uninstall) first lets the snapshots before it be ingested,
 * so it sees them, as it would one delivery at a time. `workOf` throwing fails that delivery alone.
 */
export async function processDeliveryBatch(
  deliveries: readonly Delivery[],
  workOf: (delivery: Delivery) => DeliveryWork | Promise<DeliveryWork>,
  ingest: (orders: readonly NormalizedOrderInput[]) => Promise<DeliveryOutcome[]>,
): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = new Array(deliveries.length).fill(null);
  let pending: { at: number; order: NormalizedOrderInput }[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    let results: DeliveryOutcome[];
    try {
      results = await ingest(batch.map((p) => p.order));
    } catch (error) {
      results = batch.map(() => error);
    }
    batch.forEach((p, i) => {
      outcomes[p.at] = results[i] ?? null;
    });
  };
  for (let at = 0; at < deliveries.length; at++) {
    let work: DeliveryWork;
    try {
      work = await workOf(deliveries[at]!);
    } catch (error) {
      outcomes[at] = error;
      continue;
    }
    if ("order" in work) {
      pending.push({ at, order: work.order });
      continue;
    }
    await flush();
    try {
      await work.run();
    } catch (error) {
      outcomes[at] = error;
    }
  }
  await flush();
  return outcomes;
}

/**
 * ingestOrders over a batch's snapshots, per delivery an outcome. Snapshots of one order (its create, paid
 * and updated in one batch) go in successive calls in arrival order, as they would one at a time. When a
 * call fails, its orders are ingested one by one so that only the order that cannot be ingested fails; every
 * step is idempotent, so what the failed call had written already is simply found again.
 */
export async function ingestOrderBatch(
  db: Db,
  storeId: string,
  orders: readonly NormalizedOrderInput[],
  now: Date,
): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = new Array(orders.length).fill(null);
  const rounds: number[][] = [];
  const seen = new Map<string, number>();
  orders.forEach((order, i) => {
    const round = seen.get(order.externalId) ?? 0;
    seen.set(order.externalId, round + 1);
    if (round === rounds.length) rounds.push([]);
    rounds[round]!.push(i);
  });
  for (const round of rounds) {
    try {
      await ingestRound(
        db,
        storeId,
        round.map((i) => orders[i]!),
        now,
      );
    } catch {
      for (const i of round) {
        try {
          await ingestOrder(db, storeId, orders[i]!, { now });
        } catch (error) {
          outcomes[i] = error;
        }
      }
    }
  }
  return outcomes;
}

// On SQLite a transaction that began by reading cannot become a writer once another connection (the webhook
// receipt's) has committed meanwhile, and fails at once with "database is locked" whatever the busy timeout.
// That is no fault of any order: the batch is tried again a few times before it is taken apart.
const LOCKED = /database is locked|SQLITE_BUSY/;

async function ingestRound(db: Db, storeId: string, orders: readonly NormalizedOrderInput[], now: Date) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ingestOrders(db, storeId, orders, { now });
    } catch (error) {
      if (attempt >= 4 || !LOCKED.test(error instanceof Error ? error.message : String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
    }
  }
}
