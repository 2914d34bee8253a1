import fc from "fast-check";
import { afterAll, describe, expect, it, vi } from "vitest";
import { openRedis } from "../redis/redis.ts";
import { createTestRedis, redisAvailable } from "../testing/redis.ts";
import { createRateLimiter, type RateLimiter, type RateLimitOptions } from "./rate-limit.ts";

const MINUTE = 60_000;
const T = 100 * MINUTE; // the start of a window

async function takeMany(limiter: RateLimiter, key: string, n: number, now: number) {
  const waits: number[] = [];
  for (let i = 0; i < n; i++) waits.push(await limiter.take(key, now));
  return waits;
}

const withRedis = await redisAvailable();
const redis = withRedis ? createTestRedis() : null;
afterAll(() => redis?.destroy());
let names = 0;

// The same behaviour from both stores: this process's memory, and Redis shared by every instance.
const backends: [string, (o: Omit<RateLimitOptions, "name" | "redis">) => RateLimiter, number][] = [
  ["in memory", (o) => createRateLimiter({ ...o, name: "test", redis: null }), 500],
];
if (redis) backends.push(["in Redis", (o) => createRateLimiter({ ...o, name: `test${++names}`, redis }), 100]);

describe.each(backends)("createRateLimiter %s", (_, limiterOf, numRuns) => {
  it("lets `limit` requests through per window and refuses the rest with a wait", async () => {
    const limiter = limiterOf({ limit: 50, windowMs: MINUTE });
    const waits = await takeMany(limiter, "a", 55, T + 1_000);
    expect(waits.filter((w) => w === 0)).toHaveLength(50);
    expect(waits.slice(50).every((w) => w > 0)).toBe(true);
    // Other keys have their own count.
    expect(await limiter.take("b", T + 1_000)).toBe(0);
  });

  it("does not let a client double its rate across a window boundary", async () => {
    const limiter = limiterOf({ limit: 50, windowMs: MINUTE });
    expect((await takeMany(limiter, "a", 50, T + MINUTE - 1)).every((w) => w === 0)).toBe(true);
    // A millisecond into the next window nearly all of the previous one still counts.
    expect((await takeMany(limiter, "a", 5, T + MINUTE + 1)).every((w) => w > 0)).toBe(true);
    // Halfway through it, half of it does.
    expect((await takeMany(limiter, "a", 30, T + MINUTE + MINUTE / 2)).filter((w) => w === 0)).toHaveLength(25);
  });

  it("accepts again once the wait it gave has passed", async () => {
    const limiter = limiterOf({ limit: 10, windowMs: MINUTE });
    await takeMany(limiter, "a", 10, T + 10_000);
    const wait = await limiter.take("a", T + 10_000);
    expect(wait).toBeGreaterThan(0);
    expect(await limiter.take("a", T + 10_000 + wait * 1_000 - 1_000)).toBeGreaterThan(0);
    expect(await limiter.take("a", T + 10_000 + wait * 1_000)).toBe(0);
  });

  it("forgets a client after a full quiet window", async () => {
    const limiter = limiterOf({ limit: 10, windowMs: MINUTE });
    await takeMany(limiter, "a", 10, T + 1_000);
    expect(await limiter.take("a", T + 2 * MINUTE + 1)).toBe(0);
  });

  it("gives the exact wait: refused a second before it, accepted at it", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 0, max: 3 * MINUTE }),
        async (limit, gaps, probeGap) => {
          const replay = async () => {
            const limiter = limiterOf({ limit, windowMs: MINUTE });
            let now = T;
            for (const gap of gaps) {
              now += gap;
              await limiter.take("a", now);
            }
            return { limiter, now: now + probeGap };
          };
          const { limiter, now } = await replay();
          const wait = await limiter.take("a", now);
          if (wait === 0) return;
          // A refused request is not counted, so the state is the same for a later request.
          expect(await limiter.take("a", now + wait * 1_000)).toBe(0);
          if (wait > 1) expect(await (await replay()).limiter.take("a", now + (wait - 1) * 1_000)).toBeGreaterThan(0);
        },
      ),
      { numRuns },
    );
  });
});

describe("createRateLimiter in memory", () => {
  it("keeps at most maxKeys counts; keys past it are not counted", async () => {
    const limiter = createRateLimiter({ name: "test", limit: 1, windowMs: MINUTE, maxKeys: 2, redis: null });
    expect([await limiter.take("a", T), await limiter.take("b", T), await limiter.take("c", T)]).toEqual([0, 0, 0]);
    expect(await limiter.take("a", T)).toBeGreaterThan(0);
    expect(await limiter.take("c", T)).toBe(0);
  });

  it("counts per process: two limiters do not share counts", async () => {
    const one = createRateLimiter({ name: "shared", limit: 3, windowMs: MINUTE, redis: null });
    const two = createRateLimiter({ name: "shared", limit: 3, windowMs: MINUTE, redis: null });
    expect([...(await takeMany(one, "a", 3, T)), ...(await takeMany(two, "a", 3, T))]).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe.skipIf(!redis)("createRateLimiter in Redis", () => {
  it("shares one limit between limiters of the same name, as instances behind one balancer do", async () => {
    const name = `shared${++names}`;
    const instances = [1, 2, 3].map(() => createRateLimiter({ name, limit: 10, windowMs: MINUTE, redis }));
    const waits = await Promise.all(Array.from({ length: 30 }, (_, i) => instances[i % 3]!.take("a", T + 5_000)));
    // Concurrent takes are counted atomically: exactly the limit passes.
    expect(waits.filter((w) => w === 0)).toHaveLength(10);
    // A limiter of another name counts on its own.
    const other = createRateLimiter({ name: `${name}-other`, limit: 10, windowMs: MINUTE, redis });
    expect(await other.take("a", T + 5_000)).toBe(0);
  });

  it("falls back to a per-process limit, with one warning, when Redis does not answer", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const down = openRedis("redis://127.0.0.1:1", { prefix: "down:" });
    try {
      const limiter = createRateLimiter({ name: "down", limit: 2, windowMs: MINUTE, redis: down });
      expect(await takeMany(limiter, "a", 4, T)).toEqual([0, 0, expect.any(Number), expect.any(Number)]);
      expect((await limiter.take("a", T)) > 0).toBe(true);
      expect(warn.mock.calls.filter(([m]) => String(m).startsWith("redis unavailable"))).toHaveLength(1);
    } finally {
      down.client.disconnect();
      warn.mockRestore();
    }
  });
});
