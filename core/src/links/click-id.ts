import { randomBytes } from "node:crypto";

// Click ids travel in URLs (tm_click, utm_id) and cart attributes; the prefix tells ours apart from a
// merchant's own utm_id values.
export const CLICK_ID_PARAM = "tm_click";
export const CLICK_ID_PATTERN = /^tm_[0-9A-Za-z]{16}$/;
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

export function newClickId(): string {
  return `tm_${randomToken(16)}`;
}

export function isClickId(value: unknown): value is string {
  return typeof value === "string" && CLICK_ID_PATTERN.test(value);
}

/** Click ids found in a URL's query: tm_click, and utm_id when it holds one of ours. */
export function clickIdsFromUrl(url: string | null | undefined): string[] {
  if (!url) return [];
  let params: URLSearchParams;
  try {
    params = new URL(url, "https://placeholder.invalid").searchParams;
  } catch {
    return [];
  }
  const found = [...params.getAll(CLICK_ID_PARAM), ...params.getAll("utm_id")].filter(isClickId);
  return [...new Set(found)];
}
