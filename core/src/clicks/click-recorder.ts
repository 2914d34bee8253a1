import type { Db, Provider } from "../db/client.ts";
import { redisFromEnv, type SharedRedis } from "../redis/redis.ts";
import { orderedClickId } from "./click-id-source.ts";
import { type ClickRow, type ClickWriter, prismaClickWriter, type Qualification } from "./click-writer.ts";
import { type ClickDedup, DEDUP_WINDOW_MS, DedupWindow } from "./dedup-window.ts";
import type { TrackedLink } from "./link-cache.ts";
import { RedisDedupWindow } from "./redis-dedup-window.ts";
import { utcDayNumber, visitorHash } from "./visitor-hash.ts";

export interface ClickVisit {
  link: Pick<TrackedLink, "id" | "storeId" | "campaignId" | "creatorId" | "hashKey">;
  at: Date;
  clientIp: string | null;
  userAgent: string;
  bot: boolean;
  country: string | null;
  referrerHost: string | null;
}

export interface RecordedClick {
  id: string;
  qualification: Qualification;
}

export interface ClickRecorderOptions {
  /** Read at start() to warm the dedup window. */
  db: Db;
  provider: Provider;
  /** Where groups of clicks are inserted; a raw INSERT through db by default (see openClickWriter). */
  writer?: ClickWriter;
  now?: () => Date;
  /** Most clicks written in one transaction (SQLite writes block the event loop ~10 µs a click). */
  maxBatch?: number;
  /**
   * How long an idle writer waits for more clicks before writing a group: 0 (default) writes on the next
   * setImmediate, i.e. with the requests read in the same I/O poll; a few ms make bigger, cheaper groups
   * under light load at the cost of that much latency.
   */
  flushDelayMs?: number;
  /**
   * With flushDelayMs 0, how many more event-loop turns an idle writer waits while clicks keep arriving
   * (the queue grew since the last turn) before writing the group. Under load this fills groups from
   * consecutive socket polls (the benchmark's average group went from 31 to 48 clicks, with fewer commits
   * per click); a lone click is still written on the first turn. 0 writes on the first turn always.
   */
  growTurns?: number;
  /**
   * Groups being written at once: 1 on SQLite (one writer anyway), 2 on PostgreSQL (one committing while
   * the next is sent; more made smaller groups and cost more CPU per click in the benchmark).
   */
  maxInFlight?: number;
  dedupWindowMs?: number;
  maxDedupEntries?: number;
  /** Where the dedup window is shared by every instance; from REDIS_URL when omitted, null for this process only. */
  redis?: SharedRedis | null;
  /** Called once when writes start failing (again after a write succeeded); console.error by default. */
  onWriteError?: (error: unknown) => void;
}

export interface ClickRecorder {
  /** The recorder's clock: what "now" means for campaign dates, occurredAt and the dedup window. */
  readonly now: () => Date;
  /** Loads the last window's qualified clicks so a restarted process does not qualify them again. */
  start(): Promise<void>;
  /**
   * Classifies the click at once (so concurrent clicks are ordered) and resolves after its group is
   * committed; null when that write failed and the click is not stored.
   */
  record(visit: ClickVisit): Promise<RecordedClick | null>;
  /** Resolves when every click handed to record() so far is written (or has failed); the writer stays open. */
  stop(): Promise<void>;
}

interface Pending {
  row: ClickRow;
  dedupKey: string | null;
  resolve(click: RecordedClick | null): void;
}

// Group commit: a click is answered only once the row is committed (so every redirect carrying a click id
// survives a killed process), but rows are written many per statement. While one group is being written
// the next one fills up; it is flushed as soon as the write ends, when it reaches maxBatch, or, when the
// writer is idle, once an event-loop turn adds no more clicks (see growTurns) or after flushDelayMs.
export function createClickRecorder(options: ClickRecorderOptions): ClickRecorder {
  const { db, provider, now = () => new Date() } = options;
  const writer = options.writer ?? prismaClickWriter(db, provider);
  const maxBatch = options.maxBatch ?? 256;
  const flushDelayMs = options.flushDelayMs ?? 0;
  const growTurns = options.growTurns ?? 4;
  const maxInFlight = options.maxInFlight ?? (provider === "sqlite" ? 1 : 2);
  const windowMs = options.dedupWindowMs ?? DEDUP_WINDOW_MS;
  const onWriteError =
    options.onWriteError ??
    ((error: unknown) => console.error("click writes failing; redirecting without click ids", error));
  const redis = options.redis === undefined ? redisFromEnv() : options.redis;
  const dedup: ClickDedup = redis
    ? new RedisDedupWindow(redis, windowMs, options.maxDedupEntries, () => now().getTime())
    : new DedupWindow(windowMs, options.maxDedupEntries);
  let queue: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;
  let failing = false;
  let idle: (() => void)[] = [];
  const classifying = new Set<Promise<RecordedClick | null>>();

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

  function fail(p: Pending): void {
    if (p.dedupKey !== null) dedup.forget(p.dedupKey, p.row.occurredAt.getTime());
    p.resolve(null);
  }

  async function write(group: Pending[]): Promise<void> {
    let failed: Pending[] = [];
    try {
      const rows: ClickRow[] = new Array(group.length);
      for (let i = 0; i < group.length; i++) rows[i] = group[i]!.row;
      await writer.write(rows);
    } catch (error) {
      // One click's row can fail the group's statement: retry them one by one, so only that click goes
      // without an id. (When the database itself is down, each retry fails fast too.)
      failed = group.length === 1 ? group : await writeOneByOne(group);
      if (failed.length > 0 && !failing) onWriteError(error);
    }
    // Still failing only while nothing gets through; a lone bad row is reported once, and then writes work.
    failing = failed.length === group.length;
    const lost = new Set(failed);
    for (const p of group) {
      if (lost.has(p)) fail(p);
      else p.resolve({ id: p.row.id, qualification: p.row.qualification });
    }
  }

  /** Writes each click alone; resolves the ones stored and returns the others. */
  async function writeOneByOne(group: Pending[]): Promise<Pending[]> {
    const failed: Pending[] = [];
    for (const p of group) {
      try {
        await writer.write([p.row]);
      } catch {
        failed.push(p);
      }
    }
    return failed;
  }

  // The salt turns over at midnight UTC; for one window after it, yesterday's hash still identifies the
  // visitor, so a click at 00:10 does not qualify again after one at 23:50. In memory the answer is
  // immediate; in Redis it takes a round trip, and Redis orders concurrent clicks of one visitor.
  function classify(
    visit: ClickVisit,
    atMs: number,
    hash: string,
    day: number,
  ): Qualification | Promise<Qualification> {
    if (visit.bot) return "bot";
    const key = `${visit.link.id}:${hash}`;
    const also =
      atMs - day * 86_400_000 < windowMs
        ? `${visit.link.id}:${visitorHash(visit.link.hashKey, day - 1, visit.clientIp, visit.userAgent)}`
        : null;
    const claimed = dedup.claim(key, also, atMs);
    return typeof claimed === "boolean" ? qualificationOf(claimed) : claimed.then(qualificationOf);
  }

  return {
    now,
    async start() {
      const since = new Date(now().getTime() - windowMs);
      const stores = await db.store.findMany({ select: { id: true } });
      const rows: { linkId: string; visitorHash: string; occurredAt: Date }[] = [];
      // Per store, so each query uses the (storeId, occurredAt) index.
      for (const store of stores) {
        rows.push(
          ...(await db.click.findMany({
            where: { storeId: store.id, qualification: "qualified", occurredAt: { gte: since } },
            select: { linkId: true, visitorHash: true, occurredAt: true },
          })),
        );
      }
      rows.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
      await dedup.warm(rows.map((r) => ({ key: `${r.linkId}:${r.visitorHash}`, atMs: r.occurredAt.getTime() })));
    },
    record(visit) {
      const atMs = visit.at.getTime();
      const day = utcDayNumber(atMs);
      const hash = visitorHash(visit.link.hashKey, day, visit.clientIp, visit.userAgent);
      const qualification = classify(visit, atMs, hash, day);
      if (typeof qualification === "string") return enqueue(visit, atMs, hash, qualification);
      const recorded = qualification.then((q) => enqueue(visit, atMs, hash, q));
      classifying.add(recorded);
      void recorded.finally(() => classifying.delete(recorded));
      return recorded;
    },
    async stop() {
      // Clicks still being classified in Redis are written too.
      while (classifying.size > 0) await Promise.allSettled([...classifying]);
      if (queue.length === 0 && inFlight === 0) return;
      return new Promise((resolve) => {
        idle.push(resolve);
        flush();
      });
    },
  };

  function enqueue(visit: ClickVisit, atMs: number, hash: string, qualification: Qualification) {
    const dedupKey = qualification === "qualified" ? `${visit.link.id}:${hash}` : null;
    const row: ClickRow = {
      id: orderedClickId(atMs),
      storeId: visit.link.storeId,
      linkId: visit.link.id,
      campaignId: visit.link.campaignId,
      creatorId: visit.link.creatorId,
      visitorHash: hash,
      qualification,
      country: visit.country,
      referrerHost: visit.referrerHost,
      occurredAt: visit.at,
    };
    return new Promise<RecordedClick | null>((resolve) => {
      queue.push({ row, dedupKey, resolve });
      schedule();
    });
  }
}

function qualificationOf(claimed: boolean): Qualification {
  return claimed ? "qualified" : "repeat";
}
