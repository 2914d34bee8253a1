import type { Db } from "../db/client.ts";
import { isDataError } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";
import type { EventRecord } from "./event-record.ts";
import type { EventSink, StoredEvents } from "./event-rows.ts";
import { prismaEventSink, processEvent } from "./record-events.ts";

// Group commit for browser events: events arriving together are written with one insert per store, and
// each request is answered once its group is stored; a group that fails is retried member by member, so
// one bad event fails only its own request. Follow-up work (conversions, re-attribution) runs after the
// write, outside the request: it is derived from stored rows and can be redone.
export interface EventWriter {
  write(storeId: string, records: readonly EventRecord[]): Promise<{ stored: number }>;
  /** Resolves when every write so far, and its follow-up work, is done. */
  idle(): Promise<void>;
}

const MAX_GROUP = 1000;

export interface EventWriterOptions {
  /** Where groups are stored; through db by default (openEventSink gives the collector its own connection). */
  sink?: EventSink;
  /**
   * Most group writes under way at once. Events that arrive while they are wait for one to finish and go
   * together in the next: under load that makes fewer, larger statements (each costs a round trip, a commit
   * and its syscalls on both sides, whatever its size) instead of a queue of small ones.
   */
  maxInFlight?: number;
  log?: (m: string) => void;
}

export function createEventWriter(db: Db, options: EventWriterOptions = {}): EventWriter {
  const log = options.log ?? ((m: string) => console.warn(m));
  const sink = options.sink ?? prismaEventSink(db);
  const maxInFlight = options.maxInFlight ?? 2;
  let writing = 0;
  type Pending = { records: readonly EventRecord[]; resolve: (n: number) => void; reject: (e: unknown) => void };
  let queue = new Map<string, Pending[]>();
  let queued = 0;
  let scheduled = false;
  const inFlight = new Set<Promise<unknown>>();

  function track(p: Promise<unknown>) {
    inFlight.add(p);
    p.finally(() => inFlight.delete(p)).catch(() => {});
  }

  /** Follow-up work of stored events, after the answer: derived from stored rows, so it can be redone. */
  function followUp(storeId: string, { stored, ids }: StoredEvents) {
    const followUps = stored.filter((r) => r.type !== "page_view");
    if (followUps.length === 0) return;
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

  // Each new event is counted once, for the first request that carried it (copies of one event can share a group).
  function settle(group: readonly Pending[], result: StoredEvents) {
    const fresh = new Set(result.stored.map((r) => r.eventKey));
    for (const g of group) {
      let stored = 0;
      for (const r of g.records) if (fresh.delete(r.eventKey)) stored++;
      g.resolve(stored);
    }
  }

  /** What the sender of records that cannot be stored is told: 400 when the data is at fault. */
  function memberError(records: readonly EventRecord[], error: unknown): unknown {
    if (!isDataError(error)) return error;
    const keys = records.map((r) => JSON.stringify(r.eventKey)).join(", ");
    log(`events ${keys}: refused by the database: ${error instanceof Error ? error.message : String(error)}`);
    return new AppError("invalid", `event ${keys} could not be stored: one of its values is not accepted`);
  }

  // A member that fails alone: its records one by one, so a batch's good events are kept (a retry of the
  // batch then stores only what is missing) and the request is answered with the failure of the bad one.
  // (`failed` is the error of a statement that held exactly this member.)
  async function storeMember(storeId: string, g: Pending, failed?: unknown) {
    if (failed === undefined) {
      try {
        const result = await sink.store(storeId, g.records);
        settle([g], result);
        followUp(storeId, result);
        return;
      } catch (error) {
        failed = error;
      }
    }
    if (g.records.length === 1) return g.reject(memberError(g.records, failed));
    let stored = 0;
    let failure: unknown;
    for (const record of g.records) {
      try {
        const result = await sink.store(storeId, [record]);
        stored += result.stored.length;
        followUp(storeId, result);
      } catch (error) {
        failure ??= memberError([record], error);
      }
    }
    if (failure === undefined) g.resolve(stored);
    else g.reject(failure);
  }

  async function flushStore(storeId: string, group: Pending[]) {
    let result: StoredEvents;
    try {
      result = await sink.store(
        storeId,
        group.flatMap((g) => g.records),
      );
    } catch (error) {
      // One member's data can fail the group's statement: retry the members alone, so only that one fails
      // and every other visitor's events are stored and acknowledged.
      if (group.length === 1) await storeMember(storeId, group[0]!, error);
      else await Promise.all(group.map((g) => storeMember(storeId, g)));
      return;
    }
    settle(group, result);
    followUp(storeId, result);
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  function flush() {
    scheduled = false;
    if (queued === 0) return;
    // Taken up again when a write under way finishes (a full group goes at once).
    if (writing >= maxInFlight && queued < MAX_GROUP) return;
    const groups = queue;
    queue = new Map();
    queued = 0;
    for (const [storeId, group] of groups) {
      writing++;
      track(
        flushStore(storeId, group).finally(() => {
          writing--;
          if (queued > 0) schedule();
        }),
      );
    }
  }

  return {
    write(storeId, records) {
      return new Promise<{ stored: number }>((resolve, reject) => {
        const list = queue.get(storeId) ?? [];
        list.push({ records, resolve: (n) => resolve({ stored: n }), reject });
        queue.set(storeId, list);
        queued += records.length;
        if (queued >= MAX_GROUP) flush();
        else schedule();
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
