import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function randomToken(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = "";
  // 62 * 4 = 248: rejecting bytes >= 248 keeps every character equally likely.
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const b = bytes[i]!;
    if (b < 248) out += ALPHABET[b % 62];
  }
  return out.length === length ? out : out + randomToken(length - out.length);
}

// Prefixed ids tell at a glance what a row is (st_ store, cp_ campaign, cr_ creator, ...).
export function newId(prefix: string): string {
  return `${prefix}_${randomToken(20)}`;
}
