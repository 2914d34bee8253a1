import type { Database, Provider } from "../db/client.ts";
import { newOrderedId } from "../shared/ordered-ids.ts";
import type { DeliveryInput } from "./inbox.ts";
import { type InboxRow, type InboxWriter, openInboxWriter } from "./inbox-writer.ts";
import { keptHeadersJson } from "./kept-headers.ts";

export type RecordedDelivery = { id: string; duplicate: boolean } | { error: unknown };

export interface InboxRecorder {
  /** Resolves once the delivery's group is committed: its id (or the duplicate's), or the write's error. */
  record(input: DeliveryInput): Promise<RecordedDelivery>;
  /** Resolves when every delivery handed to record() so far is written or has failed. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface InboxRecorderOptions {
  writer: InboxWriter;
  provider: Provider;
  /** Most deliveries in one transaction. */
  maxBatch?: number;
  /** Event-loop turns an idle writer waits while deliveries keep arriving, to fill bigger groups. */
  growTurns?: number;
  /** Groups written at once: 1 on SQLite (one writer anyway), 2 on PostgreSQL. */
  maxInFlight?: number;
  /** Called after a group committed with at least one new delivery (to nudge the worker). */
  onStored?: () => void;
  now?: () => Date;
}

interface Pending {
  row: InboxRow;
  resolve(result: RecordedDelivery): void;
}

// Group commit, as for clicks (clicks/click-recorder.ts): a delivery is answered only once its row is
// committed, but many deliveries share one transaction. While one group is written the next fills up. A group
// whose write fails is written again one delivery at a time, so only the delivery that cannot be stored fails
// and its neighbours are still acknowledged.
export function createInboxRecorder(options: InboxRecorderOptions): InboxRecorder {
  const { writer } = options;
  const maxBatch = options.maxBatch ?? 128;
  const growTurns = options.growTurns ?? 4;
  const maxInFlight = options.maxInFlight ?? (options.provider === "sqlite" ? 1 : 2);
  const now = options.now ?? (() => new Date());
  let queue: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;
  let idle: (() => void)[] = [];

  function schedule(): void {
    if (queue.length >= maxBatch && inFlight < maxInFlight) flush();
    else if (!scheduled && inFlight < maxInFlight) {
      scheduled = true;
      let seen = queue.length;
      let turns = 0;
      const run = () => {
        if (turns < growTurns && queue.length > seen && queue.length < maxBatch) {
          seen = queue.length;
          turns++;
          setImmediate(run);
          return;
        }
        scheduled = false;
        flush();
      };
      setImmediate(run);
    }
  }

  function flush(): void {
    while (queue.length > 0 && inFlight < maxInFlight) {
      const group = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      inFlight++;
      write(group).finally(() => {
        inFlight--;
        if (queue.length > 0) flush();
        else if (inFlight === 0) {
          for (const done of idle) done();
          idle = [];
        }
      });
    }
  }

  async function write(group: Pending[]): Promise<void> {
    let inserted: Set<string>;
    try {
      inserted = await writer.write(group.map((p) => p.row));
    } catch (error) {
      if (group.length === 1) {
        group[0]!.resolve({ error });
        return;
      }
      for (const p of group) await write([p]);
      return;
    }
    let stored = false;
    for (const p of group) {
      const fresh = inserted.has(p.row.id);
      stored ||= fresh;
      p.resolve({ id: p.row.id, duplicate: !fresh });
    }
    if (stored) options.onStored?.();
  }

  return {
    record(input) {
      const receivedAt = now();
      return new Promise<RecordedDelivery>((resolve) => {
        queue.push({
          row: {
            id: newOrderedId("wh", receivedAt.getTime()),
            storeId: input.storeId,
            shopDomain: input.shopDomain?.trim().toLowerCase() || null,
            source: input.source,
            topic: input.topic,
            dedupKey: input.dedupKey,
            headers: keptHeadersJson(input.headers),
            body: input.body,
            receivedAt,
          },
          resolve,
        });
        schedule();
      });
    },
    flush() {
      if (queue.length === 0 && inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
    async close() {
      await this.flush();
      await writer.close();
    },
  };
}

/** The receipt's recorder for a process: a driver connection of its own; onStored nudges the worker. */
export function openInboxRecorder(database: Pick<Database, "provider" | "url">, onStored?: () => void): InboxRecorder {
  return createInboxRecorder({ writer: openInboxWriter(database), provider: database.provider, onStored });
}
