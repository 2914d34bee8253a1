import { timeOrderedToken } from "../shared/ordered-ids.ts";

// Click ids for the redirect path, in the format of links/click-id.ts (tm_ + 16 base62 characters, so
// isClickId and every parser accept them) but time-ordered: 8 characters of the click's epoch milliseconds,
// then 8 random ones (47 bits).
export function orderedClickId(atMs: number): string {
  return `tm_${timeOrderedToken(atMs, 8)}`;
}
