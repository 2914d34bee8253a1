import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRateLimiter } from "./rate-limit.ts";

const MINUTE = 60_000;
const T = 100 * MINUTE; // the start of a window

function takeMany(limiter: ReturnType<typeof createRateLimiter>, key: string, n: number, now: number) {
  return Array.from({ length: n }, () => limiter.take(key, now));
}

describe("createRateLimiter", () => {
  it("lets `limit` requests through per window and refuses the rest with a wait", () => {
    const limiter = createRateLimiter({ limit: 50, windowMs: MINUTE });
    const waits = takeMany(limiter, "a", 55, T + 1_000);
    expect(waits.filter((w) => w === 0)).toHaveLength(50);
    expect(waits.slice(50).every((w) => w > 0)).toBe(true);
    // Other keys have their own count.
    expect(limiter.take("b", T + 1_000)).toBe(0);
  });

  it("does not let a client double its rate across a window boundary", () => {
    const limiter = createRateLimiter({ limit: 50, windowMs: MINUTE });
    expect(takeMany(limiter, "a", 50, T + MINUTE - 1).every((w) => w === 0)).toBe(true);
    // A millisecond into the next window nearly all of the previous one still counts.
    expect(takeMany(limiter, "a", 5, T + MINUTE + 1).every((w) => w > 0)).toBe(true);
    // Halfway through it, half of it does.
    expect(takeMany(limiter, "a", 30, T + MINUTE + MINUTE / 2).filter((w) => w === 0)).toHaveLength(25);
  });

  it("accepts again once the wait it gave has passed", () => {
    const limiter = createRateLimiter({ limit: 10, windowMs: MINUTE });
    takeMany(limiter, "a", 10, T + 10_000);
    const wait = limiter.take("a", T + 10_000);
    expect(wait).toBeGreaterThan(0);
    expect(limiter.take("a", T + 10_000 + wait * 1_000 - 1_000)).toBeGreaterThan(0);
    expect(limiter.take("a", T + 10_000 + wait * 1_000)).toBe(0);
  });

  it("forgets a client after a full quiet window", () => {
    const limiter = createRateLimiter({ limit: 10, windowMs: MINUTE });
    takeMany(limiter, "a", 10, T + 1_000);
    expect(limiter.take("a", T + 2 * MINUTE + 1)).toBe(0);
  });

  it("keeps at most maxKeys counts; keys past it are not counted", () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: MINUTE, maxKeys: 2 });
    expect([limiter.take("a", T), limiter.take("b", T), limiter.take("c", T)]).toEqual([0, 0, 0]);
    expect(limiter.take("a", T)).toBeGreaterThan(0);
    expect(limiter.take("c", T)).toBe(0);
  });

  it("gives the exact wait: refused a second before it, accepted at it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 0, max: 3 * MINUTE }),
        (limit, gaps, probeGap) => {
          const replay = () => {
            const limiter = createRateLimiter({ limit, windowMs: MINUTE });
            let now = T;
            for (const gap of gaps) {
              now += gap;
              limiter.take("a", now);
            }
            return { limiter, now: now + probeGap };
          };
          const { limiter, now } = replay();
          const wait = limiter.take("a", now);
          if (wait === 0) return;
          // A refused request is not counted, so the state is the same for a later request.
          expect(limiter.take("a", now + wait * 1_000)).toBe(0);
          if (wait > 1) expect(replay().limiter.take("a", now + (wait - 1) * 1_000)).toBeGreaterThan(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
