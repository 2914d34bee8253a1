import { randomToken } from "../shared/ids.ts";

// Click ids travel in URLs (tm_click, utm_id) and cart attributes; the prefix tells ours apart from a
// merchant's own utm_id values.
export const CLICK_ID_PARAM = "tm_click";
export const CLICK_ID_PATTERN = /^tm_[0-9A-Za-z]{16}$/;
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
