import type { Db, Provider } from "../db/client.ts";
import { createGroupCommit } from "../db/group-commit.ts";
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

// Group commit (db/group-commit.ts): a click is answered only once its row is committed, so every redirect
// carrying a click id survives a killed process, but rows are written many per statement.
export function createClickRecorder(options: ClickRecorderOptions): ClickRecorder {
  const { db, provider, now = () => new Date() } = options;
  const writer = options.writer ?? prismaClickWriter(db, provider);
  const windowMs = options.dedupWindowMs ?? DEDUP_WINDOW_MS;
  const onWriteError =
    options.onWriteError ??
    ((error: unknown) => console.error("click writes failing; redirecting without click ids", error));
  const redis = options.redis === undefined ? redisFromEnv() : options.redis;
  const dedup: ClickDedup = redis
    ? new RedisDedupWindow(redis, windowMs, options.maxDedupEntries, () => now().getTime())
    : new DedupWindow(windowMs, options.maxDedupEntries);
  let failing = false;
  const classifying = new Set<Promise<RecordedClick | null>>();
  const commits = createGroupCommit<ClickRow, true>({
    maxBatch: options.maxBatch ?? 256,
    flushDelayMs: options.flushDelayMs ?? 0,
    growTurns: options.growTurns ?? 4,
    maxInFlight: options.maxInFlight ?? (provider === "sqlite" ? 1 : 2),
    async write(rows) {
      await writer.write(rows);
      return new Array<true>(rows.length).fill(true);
    },
    // Reported when writes start failing; a lone bad row is reported once, and then writes work.
    onGroup({ size, failed, error }) {
      if (failed > 0 && !failing) onWriteError(error);
      failing = failed === size;
    },
  });

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
      await commits.drain();
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
    return commits.add(row).then((committed): RecordedClick | null => {
      if (committed.ok) return { id: row.id, qualification };
      // Not stored: the visitor's next click may qualify instead.
      if (dedupKey !== null) dedup.forget(dedupKey, atMs);
      return null;
    });
  }
}

function qualificationOf(claimed: boolean): Qualification {
  return claimed ? "qualified" : "repeat";
}
