import { createHmac, createSecretKey, type KeyObject } from "node:crypto";

// A visitor is a keyed hash of IP + user agent. The key is the store's secret hashKey plus the UTC day,
// so hashes cannot be joined across stores or across days, and the raw IP is never stored anywhere.
export const VISITOR_HASH_HEX_LENGTH = 32;
const DAY_MS = 86_400_000;

/** Days since the epoch in UTC: the salt period. */
export function utcDayNumber(atMs: number): number {
  return Math.floor(atMs / DAY_MS);
}

// HMAC keys as KeyObjects, one per store and day, so each hash skips importing the key.
const keys = new Map<string, KeyObject>();

// The last key used: nearly every click in a burst is for the same store and day, so most calls skip
// building the map key and looking it up.
let lastHashKey = "";
let lastDay = -1;
let lastKey: KeyObject | undefined;

function keyFor(hashKey: string, dayNumber: number): KeyObject {
  if (lastKey !== undefined && dayNumber === lastDay && hashKey === lastHashKey) return lastKey;
  const id = `${hashKey}\u0000${dayNumber}`;
  let key = keys.get(id);
  if (key === undefined) {
    if (keys.size >= 10_000) keys.clear();
    key = createSecretKey(Buffer.from(id, "utf8"));
    keys.set(id, key);
  }
  lastHashKey = hashKey;
  lastDay = dayNumber;
  lastKey = key;
  return key;
}

export function visitorHash(hashKey: string, dayNumber: number, clientIp: string | null, userAgent: string): string {
  return createHmac("sha256", keyFor(hashKey, dayNumber))
    .update(`${clientIp ?? ""}\u0000${userAgent}`)
    .digest("hex")
    .slice(0, VISITOR_HASH_HEX_LENGTH);
}
