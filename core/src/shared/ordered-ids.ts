import { randomFillSync } from "node:crypto";

// Time-ordered ids for the rows written on the hot paths (clicks, events, visitors): 8 base62 characters
// of epoch milliseconds, then random ones. Ordered primary keys land on the right edge of the B-tree
// instead of a random page each, which makes an insert 2–3x cheaper on SQLite (fewer pages dirtied per
// commit) and keeps PostgreSQL's index hot. Randomness comes from a pooled buffer rather than a
// randomBytes call (and its allocation) per id.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TIME_CHARS = 8; // 62^8 ms ≈ 6,900 years from the epoch
const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

function randomByte(): number {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  return pool[offset++]!;
}

/** 8 characters of time, then `randomChars` random base62 characters. */
export function timeOrderedToken(atMs: number, randomChars: number): string {
  let time = "";
  let t = Math.floor(atMs);
  for (let i = 0; i < TIME_CHARS; i++) {
    time = ALPHABET[t % 62]! + time;
    t = Math.floor(t / 62);
  }
  let random = "";
  while (random.length < randomChars) {
    const b = randomByte();
    // 62 * 4 = 248: rejecting bytes >= 248 keeps every character equally likely.
    if (b < 248) random += ALPHABET[b % 62];
  }
  return time + random;
}

/** A prefixed id like newId's (prefix_ + 20 characters), ordered by time. */
export function newOrderedId(prefix: string, atMs = Date.now()): string {
  return `${prefix}_${timeOrderedToken(atMs, 12)}`;
}
