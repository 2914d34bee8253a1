import { randomFillSync } from "node:crypto";

// Click ids for the redirect path, in the format of links/click-id.ts (tm_ + 16 base62 characters, so
// isClickId and every parser accept them) but time-ordered: 8 characters of the click's epoch milliseconds,
// then 8 random ones (47 bits). Ordered primary keys land on the right edge of the Click B-tree instead of
// on a random page each, which makes an insert 2–3x cheaper on SQLite (fewer pages dirtied per commit)
// and keeps PostgreSQL's index hot. Randomness comes from a pooled buffer rather than a randomBytes call
// (and its allocation) per id.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TIME_CHARS = 8; // 62^8 ms ≈ 6,900 years from the epoch
const RANDOM_CHARS = 8;
const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

function randomByte(): number {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  return pool[offset++]!;
}

export function orderedClickId(atMs: number): string {
  let time = "";
  let t = Math.floor(atMs);
  for (let i = 0; i < TIME_CHARS; i++) {
    time = ALPHABET[t % 62]! + time;
    t = Math.floor(t / 62);
  }
  let random = "";
  while (random.length < RANDOM_CHARS) {
    const b = randomByte();
    // 62 * 4 = 248: rejecting bytes >= 248 keeps every character equally likely.
    if (b < 248) random += ALPHABET[b % 62];
  }
  return `tm_${time}${random}`;
}
