// A fixed-window counter per key (client IP), kept in memory: enough to stop one browser or script from
// flooding the collector. Several instances each keep their own windows.
export interface RateLimiter {
  /** Seconds to wait when the key is over its limit, or 0 when the request may proceed. */
  take(key: string, now?: number): number;
}

export function createRateLimiter(options: { limit: number; windowMs: number; maxKeys?: number }): RateLimiter {
  const { limit, windowMs } = options;
  const maxKeys = options.maxKeys ?? 100_000;
  let windowStart = 0;
  let counts = new Map<string, number>();
  return {
    take(key, now = Date.now()) {
      if (now - windowStart >= windowMs) {
        windowStart = now - (now % windowMs);
        counts = new Map();
      }
      const count = (counts.get(key) ?? 0) + 1;
      if (counts.size < maxKeys || counts.has(key)) counts.set(key, count);
      return count > limit ? Math.ceil((windowStart + windowMs - now) / 1000) : 0;
    },
  };
}
