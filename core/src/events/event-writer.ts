import type { Db } from "../db/client.ts";
import type { EventSink } from "./event-rows.ts";
import { type EventRecord, prismaEventSink, processEvent } from "./record-events.ts";

// Group commit for browser events: events arriving together are written with one insert per store, and
// each request is answered once its group is stored. Follow-up work (conversions, re-attribution) runs
// after the write, outside the request: it is derived from stored rows and can be redone.
export interface EventWriter {
  write(storeId: string, records: readonly EventRecord[]): Promise<{ stored: number }>;
  /** Resolves when every write so far, and its follow-up work, is done. */
  idle(): Promise<void>;
}

const MAX_GROUP = 1000;

export interface EventWriterOptions {
  /** Where groups are stored; through db by default (openEventSink gives the collector its own connection). */
  sink?: EventSink;
  log?: (m: string) => void;
}

export function createEventWriter(db: Db, options: EventWriterOptions = {}): EventWriter {
  const log = options.log ?? ((m: string) => console.warn(m));
  const sink = options.sink ?? prismaEventSink(db);
  type Pending = { records: readonly EventRecord[]; resolve: (n: number) => void; reject: (e: unknown) => void };
  let queue = new Map<string, Pending[]>();
  let queued = 0;
  let scheduled = false;
  const inFlight = new Set<Promise<unknown>>();

  function track(p: Promise<unknown>) {
    inFlight.add(p);
    p.finally(() => inFlight.delete(p)).catch(() => {});
  }

  async function flushStore(storeId: string, group: Pending[]) {
    try {
      const all = group.flatMap((g) => g.records);
      const { stored, ids } = await sink.store(storeId, all);
      const storedKeys = new Set(stored.map((r) => r.eventKey));
      for (const g of group) g.resolve(g.records.filter((r) => storedKeys.has(r.eventKey)).length);
      const followUps = stored.filter((r) => r.type !== "page_view");
      if (followUps.length > 0) {
        track(
          (async () => {
            for (const r of followUps) {
              try {
                await processEvent(db, storeId, r, ids.get(r.eventKey) ?? null, new Date());
              } catch (error) {
                log(`event ${r.eventKey}: follow-up failed: ${error instanceof Error ? error.message : String(error)}`);
              }
            }
          })(),
        );
      }
    } catch (error) {
      for (const g of group) g.reject(error);
    }
  }

  function flush() {
    scheduled = false;
    const groups = queue;
    queue = new Map();
    queued = 0;
    for (const [storeId, group] of groups) track(flushStore(storeId, group));
  }

  return {
    write(storeId, records) {
      return new Promise<{ stored: number }>((resolve, reject) => {
        const list = queue.get(storeId) ?? [];
        list.push({ records, resolve: (n) => resolve({ stored: n }), reject });
        queue.set(storeId, list);
        queued += records.length;
        if (queued >= MAX_GROUP) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    async idle() {
      while (inFlight.size > 0 || scheduled) {
        await Promise.allSettled([...inFlight]);
        if (scheduled) await new Promise((r) => setImmediate(r));
      }
    },
  };
}
