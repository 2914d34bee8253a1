import { Redis } from "ioredis";
import { CoreEnvSchema, parseEnv } from "../config/env.ts";

// The state several instances must share (the click dedup window, every rate limit) lives in Redis when
// REDIS_URL is set; without it each process keeps that state in memory, as a single process needs nothing
// more. One client per process: ioredis pipelines the commands of concurrent requests on one connection.

export interface SharedRedis {
  readonly client: Redis;
  /** Prepended to every key, so several deployments (or test files) can share one Redis. */
  readonly prefix: string;
  /**
   * Logs a failed command once per outage (callers then fall back to their per-process state); the next
   * success logs the recovery. Secrets stay out: only the error's message is printed.
   */
  failed(what: string, error: unknown): void;
  succeeded(): void;
  /** False for a second after a failed command: requests meanwhile use per-process state without waiting on Redis. */
  usable(): boolean;
  close(): Promise<void>;
}

export const DEFAULT_REDIS_PREFIX = "trailmark:";
const RETRY_AFTER_FAILURE_MS = 1_000;

export function openRedis(url: string, options: { prefix?: string } = {}): SharedRedis {
  const client = new Redis(url, {
    // A Redis that is down must not hold requests: a command is tried twice and given up after a second,
    // then the caller uses its per-process state until Redis answers again.
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  let down = false;
  let failedAt = Number.NEGATIVE_INFINITY;
  // Without a listener ioredis prints every reconnection error; one line per outage is enough.
  client.on("error", (error: Error) => report("connection", error));
  function report(what: string, error: unknown) {
    failedAt = Date.now();
    if (down) return;
    down = true;
    console.warn(
      `redis unavailable (${what}: ${error instanceof Error ? error.message : String(error)}); using per-process limits until it answers`,
    );
  }
  return {
    client,
    prefix: options.prefix ?? DEFAULT_REDIS_PREFIX,
    failed: report,
    succeeded() {
      if (!down) return;
      down = false;
      console.warn("redis answers again; limits and the click dedup window are shared again");
    },
    usable() {
      return Date.now() - failedAt >= RETRY_AFTER_FAILURE_MS;
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

// On globalThis rather than in a module variable: the Shopify app's server build bundles its own copy of this
// module (its admin sign-in limit), and one process should hold one connection.
const SHARED = Symbol.for("trailmark.redisFromEnv");
const RedisEnvSchema = CoreEnvSchema.pick({ REDIS_URL: true, REDIS_PREFIX: true });
const holder = globalThis as { [SHARED]?: SharedRedis | null };

/** The process's Redis from REDIS_URL (and REDIS_PREFIX), opened on first use; null when REDIS_URL is unset. */
export function redisFromEnv(env: Record<string, string | undefined> = process.env): SharedRedis | null {
  if (holder[SHARED] === undefined) {
    const { REDIS_URL, REDIS_PREFIX } = parseEnv(RedisEnvSchema, env);
    holder[SHARED] = REDIS_URL ? openRedis(REDIS_URL, { prefix: REDIS_PREFIX }) : null;
  }
  return holder[SHARED];
}

/** Closes the process's Redis client, if one was opened (at shutdown). */
export async function closeRedisFromEnv(): Promise<void> {
  const opened = holder[SHARED];
  delete holder[SHARED];
  await opened?.close();
}
