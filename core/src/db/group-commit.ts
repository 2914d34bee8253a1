// Group commit: an item (a click, a webhook delivery) is acknowledged only once its row is committed, but many
// items share one transaction. While one group is written the next fills up; it is written as soon as a write
// ends, when it reaches maxBatch, or, when the writer is idle, once an event-loop turn adds no more items (see
// growTurns) or after flushDelayMs. A group whose write fails is written again one item at a time, so only an
// item that cannot be stored fails and its neighbours are still acknowledged.

export type Committed<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupOutcome {
  size: number;
  failed: number;
  /** The group's first error, when any item failed. */
  error?: unknown;
}

export interface GroupCommitOptions<T, R> {
  /** Writes every item in one transaction and returns one result per item, in order; throws when it fails. */
  write(items: T[]): Promise<R[]>;
  /** Most items in one transaction. */
  maxBatch: number;
  /** Groups written at once: 1 on SQLite (one writer anyway), 2 on PostgreSQL (one committing, one sent). */
  maxInFlight: number;
  /**
   * With flushDelayMs 0, how many more event-loop turns an idle writer waits while items keep arriving (the
   * queue grew since the last turn) before writing: under load this fills groups from consecutive socket polls,
   * with fewer commits per item; a lone item is still written on the first turn.
   */
  growTurns?: number;
  /** How long an idle writer waits before writing a group; 0 writes on the next setImmediate. */
  flushDelayMs?: number;
  /** After each group, once every item in it is settled. */
  onGroup?(outcome: GroupOutcome): void;
}

export interface GroupCommit<T, R> {
  /** Resolves once the item's group is committed (or its own write failed); never rejects. */
  add(item: T): Promise<Committed<R>>;
  /** Resolves when every item added so far is written or has failed. */
  drain(): Promise<void>;
}

interface Pending<T, R> {
  item: T;
  resolve(result: Committed<R>): void;
}

export function createGroupCommit<T, R>(options: GroupCommitOptions<T, R>): GroupCommit<T, R> {
  const { maxBatch, maxInFlight } = options;
  const growTurns = options.growTurns ?? 4;
  const flushDelayMs = options.flushDelayMs ?? 0;
  let queue: Pending<T, R>[] = [];
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
        if (flushDelayMs === 0 && turns < growTurns && queue.length > seen && queue.length < maxBatch) {
          seen = queue.length;
          turns++;
          setImmediate(run);
          return;
        }
        scheduled = false;
        flush();
      };
      if (flushDelayMs > 0) setTimeout(run, flushDelayMs);
      else setImmediate(run);
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

  async function write(group: Pending<T, R>[]): Promise<void> {
    const items: T[] = new Array(group.length);
    for (let i = 0; i < group.length; i++) items[i] = group[i]!.item;
    let values: R[];
    try {
      values = await options.write(items);
    } catch (error) {
      const failed = group.length === 1 ? settleFailed(group[0]!, error) : await writeOneByOne(group);
      options.onGroup?.({ size: group.length, failed, error });
      return;
    }
    for (let i = 0; i < group.length; i++) group[i]!.resolve({ ok: true, value: values[i]! });
    options.onGroup?.({ size: group.length, failed: 0 });
  }

  function settleFailed(p: Pending<T, R>, error: unknown): number {
    p.resolve({ ok: false, error });
    return 1;
  }

  /** Writes each item alone (when the database itself is down each one fails fast too); returns how many failed. */
  async function writeOneByOne(group: Pending<T, R>[]): Promise<number> {
    let failed = 0;
    for (const p of group) {
      try {
        const [value] = await options.write([p.item]);
        p.resolve({ ok: true, value: value! });
      } catch (error) {
        failed += settleFailed(p, error);
      }
    }
    return failed;
  }

  return {
    add(item) {
      return new Promise<Committed<R>>((resolve) => {
        queue.push({ item, resolve });
        schedule();
      });
    },
    drain() {
      if (queue.length === 0 && inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => {
        idle.push(resolve);
        flush();
      });
    },
  };
}
