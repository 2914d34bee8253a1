import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

// One-time sign-in links, for creators (core/src/portal/sessions.ts) and store owners (core/src/admin/
// owner-accounts.ts) alike, and the session tokens they open. Tokens are random; the tables keep only their
// SHA-256, so a leaked table signs nobody in. Each kind keeps its own table; the rules are these.

export const SIGN_IN_LINK_TTL_MS = 15 * 60_000;
/**
 * Links one email may have waiting (sent, not used) within SIGN_IN_LINK_WINDOW_MS; past that the sign-in page
 * answers as usual and sends nothing. Counted from the table's rows, so the limit holds across processes; used
 * links do not count, so someone who signs in with each link is never held back, while nobody can fill an
 * inbox its owner is not acting on.
 */
export const MAX_PENDING_SIGN_IN_LINKS = 5;
export const SIGN_IN_LINK_WINDOW_MS = 60 * 60_000;
/** Link requests one client address may make per window, whichever emails they name (kept in memory). */
export const SIGN_IN_LINK_REQUESTS_PER_ADDRESS = 20;
export const SIGN_IN_LINK_ADDRESS_WINDOW_MS = 15 * 60_000;

/** A new random token: 256 bits, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What a table keeps of a token. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** When a link made at `now` expires. */
export function signInLinkExpiresAt(now: Date, ttlMs = SIGN_IN_LINK_TTL_MS): Date {
  return new Date(now.getTime() + ttlMs);
}

/** The rows that count towards MAX_PENDING_SIGN_IN_LINKS (add the owner's key). */
export function pendingLinksWhere(now: Date) {
  return { usedAt: null, createdAt: { gt: new Date(now.getTime() - SIGN_IN_LINK_WINDOW_MS) } };
}

/** Expired links that no longer count towards MAX_PENDING_SIGN_IN_LINKS: the purge may delete them. */
export function purgeableLinksWhere(now: Date) {
  return { expiresAt: { lte: now }, createdAt: { lte: new Date(now.getTime() - SIGN_IN_LINK_WINDOW_MS) } };
}

/** Whether a link's row may still be used; reads only, so opening the link's page spends nothing. */
export function isLinkUsable(row: { usedAt: Date | null; expiresAt: Date } | null, now: Date): boolean {
  return row !== null && row.usedAt === null && row.expiresAt.getTime() > now.getTime();
}

interface LinkTable<Where> {
  updateMany(args: { where: Where; data: { usedAt: Date } }): PromiseLike<{ count: number }>;
}

/**
 * Spends the link `key` names, once and before it expires; true when this call spent it. The guarded update is
 * the claim: of two requests racing with the same link only one sees count 1.
 */
export async function consumeLinkOnce<Where>(
  table: LinkTable<Where>,
  key: Record<string, string>,
  now: Date,
): Promise<boolean> {
  const where = { ...key, usedAt: null, expiresAt: { gt: now } } as Where;
  const { count } = await table.updateMany({ where, data: { usedAt: now } });
  return count === 1;
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function isValidCsrfToken(expected: string, submitted: unknown): boolean {
  if (typeof submitted !== "string" || submitted === "") return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}
