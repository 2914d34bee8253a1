// A per-key request limit kept in memory: enough to stop one browser or script from flooding the
// collector or asking for sign-in links in a loop. Several instances each keep their own counts.
//
// Sliding-window counter: the current fixed window's count plus the previous window's, weighted by how
// much of the previous window still lies within the last windowMs. Plain fixed windows would let a client
// send `limit` requests at the end of one window and `limit` more at the start of the next.
export interface RateLimiter {
  /** Seconds to wait when the key is over its limit (the request is refused), or 0 when it may proceed. */
  take(key: string, now?: number): number;
}

export function createRateLimiter(options: { limit: number; windowMs: number; maxKeys?: number }): RateLimiter {
  const { limit, windowMs } = options;
  const maxKeys = options.maxKeys ?? 100_000;
  let windowStart = 0;
  let current = new Map<string, number>();
  let previous = new Map<string, number>();

  // Seconds until one more request fits (estimate + 1 <= limit), if no other request comes meanwhile.
  function waitSeconds(before: number, count: number, now: number): number {
    const end = windowStart + windowMs;
    const room = limit - 1;
    // Within this window the estimate falls only as the previous window's weight does.
    let at = count <= room && before > 0 ? windowStart + windowMs * (1 - (room - count) / before) : end;
    // Otherwise in the next one, where this window's count carries the falling weight.
    if (at >= end) at = end + (count > room ? windowMs * (1 - room / count) : 0);
    return Math.max(1, Math.ceil((at - now) / 1000));
  }

  return {
    take(key, now = Date.now()) {
      const start = now - (now % windowMs);
      if (start !== windowStart) {
        previous = start - windowStart === windowMs ? current : new Map();
        current = new Map();
        windowStart = start;
      }
      const before = previous.get(key) ?? 0;
      const count = current.get(key) ?? 0;
      const estimate = before * (1 - (now - windowStart) / windowMs) + count;
      if (estimate + 1 > limit) return waitSeconds(before, count, now);
      if (current.size < maxKeys || current.has(key)) current.set(key, count + 1);
      return 0;
    },
  };
}
