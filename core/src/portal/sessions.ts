import type { Db } from "../db/client.ts";
import { hashEmail } from "../shared/hashing.ts";
import { newId } from "../shared/ids.ts";
import {
  consumeLinkOnce,
  hashToken,
  isLinkUsable,
  isValidCsrfToken,
  MAX_PENDING_SIGN_IN_LINKS,
  newToken,
  pendingLinksWhere,
  purgeableLinksWhere,
  SIGN_IN_LINK_ADDRESS_WINDOW_MS,
  SIGN_IN_LINK_REQUESTS_PER_ADDRESS,
  SIGN_IN_LINK_TTL_MS,
  SIGN_IN_LINK_WINDOW_MS,
  signInLinkExpiresAt,
} from "../shared/sign-in-link.ts";

// Creator sign-in by one-time emailed link (the rules: core/src/shared/sign-in-link.ts), and the sessions it
// opens. A creator is an email: creators are per store, and a session
// covers every Creator row whose emailHash matches.

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
export {
  isValidCsrfToken,
  MAX_PENDING_SIGN_IN_LINKS,
  newToken,
  SIGN_IN_LINK_ADDRESS_WINDOW_MS,
  SIGN_IN_LINK_REQUESTS_PER_ADDRESS,
  SIGN_IN_LINK_TTL_MS,
  SIGN_IN_LINK_WINDOW_MS,
};

type Client = Pick<Db, "creator" | "creatorSignInToken" | "creatorSession">;

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
  const pending = await db.creatorSignInToken.count({ where: { emailHash, ...pendingLinksWhere(now) } });
  if (pending >= MAX_PENDING_SIGN_IN_LINKS) return null;
  const token = newToken();
  const expiresAt = signInLinkExpiresAt(now, ttlMs);
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
  return isLinkUsable(await db.creatorSignInToken.findUnique({ where: { tokenHash: hashToken(token) } }), now);
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
  if (!(await consumeLinkOnce(db.creatorSignInToken, { tokenHash }, now))) return null;
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
    db.creatorSignInToken.deleteMany({ where: purgeableLinksWhere(now) }),
  ]);
  return sessions.count + tokens.count;
}
