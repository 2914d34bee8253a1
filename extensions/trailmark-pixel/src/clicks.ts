// Click-id bookkeeping for the pixel: pure functions, no Shopify or browser APIs, so they bundle small and test
// without a sandbox. Mirrors core/src/links/click-id.ts (which cannot be bundled: it imports node:crypto).

export const CLICK_ID_PATTERN = /^tm_[0-9A-Za-z]{16}$/;
export const STORAGE_KEY = "_tm_clk";
export const MAX_HELD = 10;
export const DEFAULT_LOOKBACK_DAYS = 30;
export const MAX_LOOKBACK_DAYS = 90;
export const MS_PER_DAY = 86_400_000;

/** A click id the browser holds: when it was last seen (epoch ms) and when it stops counting (epoch ms). */
export interface HeldClick {
  id: string;
  at: number;
  exp: number;
}

export interface Landing {
  ids: string[];
  lookbackDays: number;
}

export function isClickId(value: unknown): value is string {
  return typeof value === "string" && CLICK_ID_PATTERN.test(value);
}

/** tm_lb as an integer number of days from 1 to 90; 30 when absent or not a number. */
export function lookbackDays(raw: string | null | undefined): number {
  const days = Number.parseInt(raw ?? "", 10);
  if (!Number.isFinite(days)) return DEFAULT_LOOKBACK_DAYS;
  return Math.min(MAX_LOOKBACK_DAYS, Math.max(1, days));
}

/** Click ids in a URL's query (tm_click, and utm_id when it holds one of ours) and its tm_lb lookback. */
export function landingFromUrl(url: string | null | undefined): Landing {
  if (!url) return { ids: [], lookbackDays: DEFAULT_LOOKBACK_DAYS };
  let params: URLSearchParams;
  try {
    params = new URL(url, "https://placeholder.invalid").searchParams;
  } catch {
    return { ids: [], lookbackDays: DEFAULT_LOOKBACK_DAYS };
  }
  const ids = [...params.getAll("tm_click"), ...params.getAll("utm_id")].filter(isClickId);
  return { ids: [...new Set(ids)], lookbackDays: lookbackDays(params.get("tm_lb")) };
}

/** Reads the localStorage value (JSON array of HeldClick); anything malformed is skipped. */
export function parseStored(text: string | null | undefined): HeldClick[] {
  if (!text) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const out: HeldClick[] = [];
  for (const item of value) {
    const { id, at, exp } = (item ?? {}) as Partial<HeldClick>;
    if (isClickId(id) && typeof exp === "number" && Number.isFinite(exp)) {
      out.push({ id, at: typeof at === "number" && Number.isFinite(at) ? at : 0, exp });
    }
  }
  return out;
}

// The cookie is the one core/src/site-script/site-script.js (/t.js) keeps: `tm_<16>.<expiry epoch seconds>`
// entries joined by "|", most recent first (cookie-safe characters only). An entry without an expiry gets the
// default lookback from `now`. Cookie entries carry no "seen at" time: their order is kept through `at` values
// below any real timestamp (0, -1, -2, …).
const COOKIE_ENTRY = /(tm_[0-9A-Za-z]{16})(?:[.:](\d{1,13}))?/g;

export function parseCookie(text: string | null | undefined, now: number): HeldClick[] {
  if (!text) return [];
  const out: HeldClick[] = [];
  for (const match of text.matchAll(COOKIE_ENTRY)) {
    const seconds = match[2] ? Number(match[2]) : Number.NaN;
    out.push({
      id: match[1]!,
      at: 0 - out.length, // not -out.length: no -0
      exp: Number.isFinite(seconds) ? seconds * 1000 : now + DEFAULT_LOOKBACK_DAYS * MS_PER_DAY,
    });
  }
  return out;
}

export function formatCookie(held: HeldClick[]): string {
  return held.map((c) => `${c.id}.${Math.floor(c.exp / 1000)}`).join("|");
}

/**
 * Merges click id lists (for an id in several, the latest `at` and the latest expiry win), adds the ids landed
 * on `now` with their lookback, drops expired ones and keeps the MAX_HELD most recently seen, most recent first
 * (the order /t.js uses).
 */
export function mergeClicks(lists: HeldClick[][], landing: Landing, now: number): HeldClick[] {
  const byId = new Map<string, HeldClick>();
  const put = (click: HeldClick) => {
    const prior = byId.get(click.id);
    byId.set(
      click.id,
      prior ? { id: click.id, at: Math.max(prior.at, click.at), exp: Math.max(prior.exp, click.exp) } : click,
    );
  };
  for (const list of lists) for (const click of list) put(click);
  const exp = now + landing.lookbackDays * MS_PER_DAY;
  // A fresh landing restarts that click's lookback window, even if it is shorter than before.
  for (const id of landing.ids) byId.set(id, { id, at: now, exp });
  return [...byId.values()]
    .filter((c) => c.exp > now)
    .sort((a, b) => b.at - a.at || b.exp - a.exp)
    .slice(0, MAX_HELD);
}

/** `gid://shopify/OrderIdentity/123` -> "123"; numbers become strings; anything else stays as sent. */
export function orderIdOf(raw: unknown): string | undefined {
  if (typeof raw === "number" && Number.isFinite(raw)) return String(raw);
  if (typeof raw !== "string" || raw === "") return undefined;
  const gid = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)/.exec(raw);
  return gid ? gid[1] : raw.slice(0, 200);
}
