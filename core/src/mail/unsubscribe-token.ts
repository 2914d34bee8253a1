import { createHmac, timingSafeEqual } from "node:crypto";
import { OPTIONAL_KINDS, type OptionalKind } from "./mail-kinds.ts";

// An unsubscribe link works without signing in, so its token says whom and what it turns off and is signed:
// HMAC-SHA256 under a key derived from the store's own secret (Store.hashKey, which never leaves the server),
// so a token cannot be forged or edited to turn off another creator's mails. It does not expire: an old mail's
// link must still work.

export interface UnsubscribeClaim {
  storeId: string;
  creatorId: string;
  kind: OptionalKind;
}

const PART = /^[\w-]{1,100}$/;

function signature(storeKey: string, payload: string): Buffer {
  const key = createHmac("sha256", storeKey).update("trailmark creator mail unsubscribe").digest();
  return createHmac("sha256", key).update(payload).digest();
}

export function unsubscribeToken(storeKey: string, claim: UnsubscribeClaim): string {
  const payload = `${claim.storeId}.${claim.creatorId}.${claim.kind}`;
  return `${payload}.${signature(storeKey, payload).toString("base64url")}`;
}

/** The claim a token makes, unverified: which store's key checks it. Null when it is not a token at all. */
export function readUnsubscribeToken(token: string): (UnsubscribeClaim & { payload: string; sig: string }) | null {
  const parts = token.split(".");
  if (parts.length !== 4) return null;
  const [storeId, creatorId, kind, sig] = parts as [string, string, string, string];
  if (!PART.test(storeId) || !PART.test(creatorId) || !PART.test(sig)) return null;
  if (!(OPTIONAL_KINDS as readonly string[]).includes(kind)) return null;
  return { storeId, creatorId, kind: kind as OptionalKind, payload: `${storeId}.${creatorId}.${kind}`, sig };
}

export function verifyUnsubscribeToken(storeKey: string, token: string): UnsubscribeClaim | null {
  const read = readUnsubscribeToken(token);
  if (!read) return null;
  const expected = signature(storeKey, read.payload);
  const given = Buffer.from(read.sig, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { storeId: read.storeId, creatorId: read.creatorId, kind: read.kind };
}
