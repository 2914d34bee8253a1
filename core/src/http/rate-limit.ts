import { redisFromEnv, type SharedRedis } from "../redis/redis.ts";

// A per-key request limit: enough to stop one browser or script from flooding the collector or asking for
// sign-in links in a loop. With REDIS_URL set the counts live in Redis, so instances behind one load
// balancer share one limit; without it they are kept in this process's memory.
//
// Sliding-window counter: the current fixed window's count plus the previous window's, weighted by how
// much of the previous window still lies within the last windowMs. Plain fixed windows would let a client
// send `limit` requests at the end of one window and `limit` more at the start of the next.
export interface RateLimiter {
  /** Seconds to wait when the key is over its limit (the request is refused), or 0 when it may proceed. */
  take(key: string, now?: number): Promise<number>;
}

export interface RateLimitOptions {
  /** Tells this limit's counts from other limits' in Redis (keys are often the same client address). */
  name: string;
  limit: number;
  windowMs: number;
  /** Most keys counted in memory per window; keys past it are not counted. */
  maxKeys?: number;
  /** Where counts are shared; from REDIS_URL when omitted, null for this process only. */
  redis?: SharedRedis | null;
}

export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const redis = options.redis === undefined ? redisFromEnv() : options.redis;
  const local = createMemoryRateLimiter(options);
  return redis ? createRedisRateLimiter(redis, options, local) : local;
}

interface Counts {
  /** The previous window's count. */
  before: number;
  /** The current window's count. */
  count: number;
}

/** Whether one more request fits: the weighted estimate plus this request stays within the limit. */
function admits(limit: number, weight: number, { before, count }: Counts): boolean {
  return before * weight + count + 1 <= limit;
}

/** The previous window's weight at now: the share of it still within the last windowMs. */
function weightAt(windowStart: number, windowMs: number, now: number): number {
  return 1 - (now - windowStart) / windowMs;
}

// Seconds until one more request fits (estimate + 1 <= limit), if no other request comes meanwhile.
function waitSeconds(limit: number, windowMs: number, windowStart: number, { before, count }: Counts, now: number) {
  const end = windowStart + windowMs;
  const room = limit - 1;
  // Within this window the estimate falls only as the previous window's weight does.
  let at = count <= room && before > 0 ? windowStart + windowMs * (1 - (room - count) / before) : end;
  // Otherwise in the next one, where this window's count carries the falling weight.
  if (at >= end) at = end + (count > room ? windowMs * (1 - room / count) : 0);
  return Math.max(1, Math.ceil((at - now) / 1000));
}

function createMemoryRateLimiter(options: RateLimitOptions): RateLimiter {
  const { limit, windowMs } = options;
  const maxKeys = options.maxKeys ?? 100_000;
  let windowStart = 0;
  let current = new Map<string, number>();
  let previous = new Map<string, number>();

  function take(key: string, now: number): number {
    const start = now - (now % windowMs);
    if (start !== windowStart) {
      previous = start - windowStart === windowMs ? current : new Map();
      current = new Map();
      windowStart = start;
    }
    const counts = { before: previous.get(key) ?? 0, count: current.get(key) ?? 0 };
    if (!admits(limit, weightAt(windowStart, windowMs, now), counts)) {
      return waitSeconds(limit, windowMs, windowStart, counts, now);
    }
    if (current.size < maxKeys || current.has(key)) current.set(key, counts.count + 1);
    return 0;
  }

  return {
    take(key, now = Date.now()) {
      return Promise.resolve(take(key, now));
    },
  };
}

// One round trip, atomic: reads both windows' counts and counts the request only when it is admitted, the
// same test as admits() (the weight comes from the caller so both compute it alike). A counter lives two
// windows: it is the current count during its own window and the previous one during the next.
const TAKE_SCRIPT = `
local before = tonumber(redis.call('GET', KEYS[2]) or '0')
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if before * tonumber(ARGV[2]) + count + 1 > tonumber(ARGV[1]) then return {before, count, 0} end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {before, count, 1}
`;

type TakeCommand = (
  current: string,
  previous: string,
  limit: number,
  weight: string,
  ttlMs: number,
) => Promise<[number, number, number]>;

function createRedisRateLimiter(redis: SharedRedis, options: RateLimitOptions, local: RateLimiter): RateLimiter {
  const { limit, windowMs, name } = options;
  const { client } = redis;
  if (!("trailmarkTake" in client)) client.defineCommand("trailmarkTake", { numberOfKeys: 2, lua: TAKE_SCRIPT });
  const takeCommand = (client as unknown as { trailmarkTake: TakeCommand }).trailmarkTake.bind(client);
  const keyOf = (key: string, windowStart: number) => `${redis.prefix}rl:${name}:${key}:${windowStart}`;

  return {
    async take(key, now = Date.now()) {
      if (!redis.usable()) return local.take(key, now);
      const windowStart = now - (now % windowMs);
      let reply: [number, number, number];
      try {
        reply = await takeCommand(
          keyOf(key, windowStart),
          keyOf(key, windowStart - windowMs),
          limit,
          String(weightAt(windowStart, windowMs, now)),
          2 * windowMs,
        );
      } catch (error) {
        // Redis is down: limit per process, as a single instance would, rather than not at all.
        redis.failed(`rate limit ${name}`, error);
        return local.take(key, now);
      }
      redis.succeeded();
      const [before, count, admitted] = reply;
      return admitted === 1 ? 0 : waitSeconds(limit, windowMs, windowStart, { before, count }, now);
    },
  };
}
