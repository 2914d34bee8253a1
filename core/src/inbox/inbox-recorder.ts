import type { Database, Provider } from "../db/client.ts";
import { createGroupCommit } from "../db/group-commit.ts";
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

// Group-committed like clicks (db/group-commit.ts): a delivery is answered only once its row is committed, many
// deliveries share one transaction, and a group whose write fails is written again one delivery at a time.
export function createInboxRecorder(options: InboxRecorderOptions): InboxRecorder {
  const { writer } = options;
  const now = options.now ?? (() => new Date());
  const commits = createGroupCommit<InboxRow, boolean>({
    maxBatch: options.maxBatch ?? 128,
    growTurns: options.growTurns ?? 4,
    maxInFlight: options.maxInFlight ?? (options.provider === "sqlite" ? 1 : 2),
    async write(rows) {
      const inserted = await writer.write(rows);
      const fresh = rows.map((row) => inserted.has(row.id));
      if (fresh.includes(true)) options.onStored?.();
      return fresh;
    },
  });

  return {
    async record(input) {
      const receivedAt = now();
      const row: InboxRow = {
        id: newOrderedId("wh", receivedAt.getTime()),
        storeId: input.storeId,
        shopDomain: input.shopDomain?.trim().toLowerCase() || null,
        source: input.source,
        topic: input.topic,
        dedupKey: input.dedupKey,
        headers: keptHeadersJson(input.headers),
        body: input.body,
        receivedAt,
      };
      const committed = await commits.add(row);
      return committed.ok ? { id: row.id, duplicate: !committed.value } : { error: committed.error };
    },
    flush() {
      return commits.drain();
    },
    async close() {
      await commits.drain();
      await writer.close();
    },
  };
}

/** The receipt's recorder for a process: a driver connection of its own; onStored nudges the worker. */
export function openInboxRecorder(database: Pick<Database, "provider" | "url">, onStored?: () => void): InboxRecorder {
  return createInboxRecorder({ writer: openInboxWriter(database), provider: database.provider, onStored });
}
