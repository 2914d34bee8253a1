import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "../db/client.ts";
import { hashEmail } from "../shared/hashing.ts";
import { newId } from "../shared/ids.ts";

// Creator sign-in by one-time emailed link, and the sessions it opens. Tokens are random; the tables keep only
// their SHA-256, so a leaked table signs nobody in. A creator is an email: creators are per store, and a session
// covers every Creator row whose emailHash matches.

export const SIGN_IN_LINK_TTL_MS = 15 * 60 * 1000;
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/**
 * Links one email may have waiting (sent, not used) within SIGN_IN_LINK_WINDOW_MS; past that the sign-in page
 * answers as usual and sends nothing. Counted from CreatorSignInToken rows, so the limit holds across
 * processes; used links do not count, so a creator who signs in with each link is never held back.
 */
export const MAX_PENDING_SIGN_IN_LINKS = 5;
export const SIGN_IN_LINK_WINDOW_MS = 60 * 60 * 1000;
/** Link requests one client address may make per window, whichever emails they name (kept in memory). */
export const SIGN_IN_LINK_REQUESTS_PER_ADDRESS = 20;
export const SIGN_IN_LINK_ADDRESS_WINDOW_MS = 15 * 60 * 1000;

type Client = Pick<Db, "creator" | "creatorSignInToken" | "creatorSession">;

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * A sign-in token for this email when some creator has it and it has fewer than MAX_PENDING_SIGN_IN_LINKS
 * unused links from the last SIGN_IN_LINK_WINDOW_MS, else null. The caller answers the same either way.
 */
export async function createCreatorSignInToken(
  db: Client,
  email: string,
  now: Date,
  ttlMs = SIGN_IN_LINK_TTL_MS,
): Promise<{ token: string; expiresAt: Date } | null> {
  const emailHash = hashEmail(email);
  const creator = await db.creator.findFirst({ where: { emailHash }, select: { id: true } });
  if (!creator) return null;
  const pending = await db.creatorSignInToken.count({
    where: { emailHash, usedAt: null, createdAt: { gt: new Date(now.getTime() - SIGN_IN_LINK_WINDOW_MS) } },
  });
  if (pending >= MAX_PENDING_SIGN_IN_LINKS) return null;
  const token = newToken();
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db.creatorSignInToken.create({
    data: { id: newId("cst"), emailHash, tokenHash: hashToken(token), expiresAt, createdAt: now },
  });
  return { token, expiresAt };
}

export interface PortalSessionGrant {
  /** Goes in the cookie; never stored. */
  token: string;
  emailHash: string;
  csrfToken: string;
  expiresAt: Date;
}

/** Whether a sign-in token may still be used; reads only, so opening the link's page spends nothing. */
export async function isCreatorSignInTokenUsable(db: Client, token: string, now: Date): Promise<boolean> {
  const row = await db.creatorSignInToken.findUnique({ where: { tokenHash: hashToken(token) } });
  return row !== null && row.usedAt === null && row.expiresAt.getTime() > now.getTime();
}

/** Uses a sign-in token once: a new session, or null when the token is unknown, used or expired. */
export async function redeemCreatorSignInToken(
  db: Client,
  token: string,
  now: Date,
): Promise<PortalSessionGrant | null> {
  const tokenHash = hashToken(token);
  const row = await db.creatorSignInToken.findUnique({ where: { tokenHash } });
  if (!row) return null;
  // The guarded update is what makes the token single-use when two requests race.
  const used = await db.creatorSignInToken.updateMany({
    where: { tokenHash, usedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now },
  });
  if (used.count !== 1) return null;
  const session = { token: newToken(), emailHash: row.emailHash, csrfToken: newToken() };
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db.creatorSession.create({
    data: {
      id: newId("csn"),
      emailHash: session.emailHash,
      tokenHash: hashToken(session.token),
      csrfToken: session.csrfToken,
      expiresAt,
      createdAt: now,
    },
  });
  return { ...session, expiresAt };
}

export interface PortalSession {
  id: string;
  emailHash: string;
  csrfToken: string;
  expiresAt: Date;
}

/** The live session a cookie token names, or null. */
export async function getPortalSession(db: Client, token: string, now: Date): Promise<PortalSession | null> {
  const row = await db.creatorSession.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!row || row.expiresAt.getTime() <= now.getTime()) return null;
  return { id: row.id, emailHash: row.emailHash, csrfToken: row.csrfToken, expiresAt: row.expiresAt };
}

export async function endPortalSession(db: Client, sessionId: string): Promise<void> {
  await db.creatorSession.deleteMany({ where: { id: sessionId } });
}

/**
 * Deletes expired sessions, and expired sign-in tokens once they no longer count towards
 * MAX_PENDING_SIGN_IN_LINKS; returns how many rows went.
 */
export async function purgePortalSessions(db: Client, now: Date): Promise<number> {
  const [sessions, tokens] = await Promise.all([
    db.creatorSession.deleteMany({ where: { expiresAt: { lte: now } } }),
    db.creatorSignInToken.deleteMany({
      where: { expiresAt: { lte: now }, createdAt: { lte: new Date(now.getTime() - SIGN_IN_LINK_WINDOW_MS) } },
    }),
  ]);
  return sessions.count + tokens.count;
}

/** Constant-time comparison of a submitted CSRF token with the expected one. */
export function isValidCsrfToken(expected: string, submitted: unknown): boolean {
  if (typeof submitted !== "string" || submitted === "") return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}
