import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { availableParallelism } from "node:os";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { isUniqueViolation } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import {
  consumeLinkOnce,
  hashToken,
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
import { requireStore } from "../stores/store.ts";
import { PasswordSchema } from "./forms.ts";

// Sign-in for stores outside Shopify: one owner account per store email, with a password or a one-time
// link. Passwords are hashed with scrypt (memory-hard: 2^15 × 8 × 128 bytes = 32 MiB per hash) and a
// random salt per password. Sessions and links are random tokens of which only a SHA-256 is stored
// (core/src/shared/sign-in-link.ts), so the tables alone sign nobody in. Each session carries its own CSRF
// token (synchronizer pattern).

export const SESSION_TTL_MS = 7 * 86_400_000;
export const MAX_FAILED_SIGN_INS = 10;
export const LOCKOUT_MS = 15 * 60_000;
export {
  isValidCsrfToken,
  MAX_PENDING_SIGN_IN_LINKS,
  SIGN_IN_LINK_ADDRESS_WINDOW_MS,
  SIGN_IN_LINK_REQUESTS_PER_ADDRESS,
  SIGN_IN_LINK_TTL_MS,
  SIGN_IN_LINK_WINDOW_MS,
};
/** Password sign-ins one client address may try per window, whichever emails they name (kept in memory). */
export const PASSWORD_ATTEMPTS_PER_ADDRESS = 30;
export const PASSWORD_ATTEMPTS_WINDOW_MS = 15 * 60_000;
const SEEN_RESOLUTION_MS = 5 * 60_000;

const SCRYPT = { logN: 15, r: 8, p: 1, keyLength: 64 } as const;

function scryptAsync(password: string, salt: Buffer, logN: number, r: number, p: number, keyLength: number) {
  return new Promise<Buffer>((resolve, reject) => {
    const N = 2 ** logN;
    scrypt(password.normalize("NFKC"), salt, keyLength, { N, r, p, maxmem: 256 * N * r }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * Sign-in hashes run a few at a time, with a short queue. scrypt runs on libuv's thread pool (4 threads), which
 * also serves file reads and DNS: a flood of sign-ins would otherwise fill every thread with 32 MiB hashes, take
 * every core, and stall unrelated pages (the sign-in page itself waits on a file stat). Past the queue, a
 * sign-in is refused at once as busy rather than waiting seconds.
 */
export const SIGN_IN_HASHES_AT_ONCE = Math.min(2, Math.max(1, availableParallelism() - 1));
export const SIGN_IN_HASH_QUEUE = 16;
let hashesRunning = 0;
const hashQueue: (() => void)[] = [];

async function withSignInHashSlot<T>(run: () => Promise<T>): Promise<T> {
  if (hashesRunning >= SIGN_IN_HASHES_AT_ONCE) {
    if (hashQueue.length >= SIGN_IN_HASH_QUEUE) {
      throw new AppError("rate_limited", "too many sign-ins at once; try again in a moment");
    }
    await new Promise<void>((resolve) => hashQueue.push(resolve));
  } else hashesRunning++;
  try {
    return await run();
  } finally {
    // The slot passes straight to the next waiter, if any.
    const next = hashQueue.shift();
    if (next) next();
    else hashesRunning--;
  }
}

/** `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` with base64url salt and hash. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.logN, SCRYPT.r, SCRYPT.p, SCRYPT.keyLength);
  return ["scrypt", SCRYPT.logN, SCRYPT.r, SCRYPT.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

const HASH_PATTERN = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([\w-]+)\$([\w-]+)$/;

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = HASH_PATTERN.exec(stored);
  if (!match) return false;
  const [, logN, r, p, salt, hash] = match;
  const expected = Buffer.from(hash!, "base64url");
  const key = await scryptAsync(
    password,
    Buffer.from(salt!, "base64url"),
    Number(logN),
    Number(r),
    Number(p),
    expected.length,
  );
  return key.length === expected.length && timingSafeEqual(key, expected);
}

// Verified when the email has no account, so that an unknown email takes as long as a wrong password.
let decoy: Promise<string> | null = null;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EmailSchema = z.email("enter an email address").max(320);

export interface OwnerAccount {
  id: string;
  storeId: string;
  email: string;
  hasPassword: boolean;
  lastSignInAt: Date | null;
  createdAt: Date;
}

type AccountRow = NonNullable<Awaited<ReturnType<Db["ownerAccount"]["findUnique"]>>>;

function toAccount(row: AccountRow): OwnerAccount {
  return {
    id: row.id,
    storeId: row.storeId,
    email: row.email,
    hasPassword: row.passwordHash !== null,
    lastSignInAt: row.lastSignInAt,
    createdAt: row.createdAt,
  };
}

function parsePassword(password: string): string {
  const parsed = PasswordSchema.safeParse(password);
  if (!parsed.success) {
    throw new AppError("invalid", `password: ${parsed.error.issues[0]!.message}`, [
      { path: "password", message: parsed.error.issues[0]!.message },
    ]);
  }
  return parsed.data;
}

/**
 * Creates the owner account of a store (the CLI's `owner create`). Without a password the owner signs in
 * with emailed links only. An email belongs to one account.
 */
export async function createOwner(
  db: Db,
  storeId: string,
  email: string,
  password: string | null,
): Promise<OwnerAccount> {
  await requireStore(db, storeId);
  const parsedEmail = EmailSchema.safeParse(normalizeEmail(email));
  if (!parsedEmail.success) throw new AppError("invalid", `email: ${parsedEmail.error.issues[0]!.message}`);
  const passwordHash = password === null ? null : await hashPassword(parsePassword(password));
  try {
    const row = await db.ownerAccount.create({
      data: { id: newId("own"), storeId, email: parsedEmail.data, passwordHash },
    });
    return toAccount(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("conflict", `an owner account for ${parsedEmail.data} exists`);
    throw error;
  }
}

/** Sets a new password and signs the account out everywhere. */
export async function setOwnerPassword(db: Db, storeId: string, email: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(parsePassword(password));
  const account = await db.ownerAccount.findFirst({ where: { storeId, email: normalizeEmail(email) } });
  if (!account) throw new AppError("not_found", `no owner account ${normalizeEmail(email)} for store ${storeId}`);
  await db.ownerAccount.update({
    where: { id: account.id },
    data: { passwordHash, failedSignIns: 0, lockedUntil: null },
  });
  await db.adminSession.deleteMany({ where: { storeId, accountId: account.id } });
}

export async function listOwners(db: Db, storeId: string): Promise<OwnerAccount[]> {
  return (await db.ownerAccount.findMany({ where: { storeId }, orderBy: { createdAt: "asc" } })).map(toAccount);
}

export interface AdminSessionGrant {
  /** Goes in the cookie; never stored. */
  token: string;
  storeId: string;
  accountId: string;
  csrfToken: string;
  expiresAt: Date;
}

async function startSession(
  db: Db,
  account: AccountRow,
  now: Date,
  options: { whileUnlocked: boolean },
): Promise<AdminSessionGrant> {
  // A password sign-in claims the account only while it is unlocked: wrong passwords racing with the right one
  // may have locked it since it was read. An emailed link signs in even then (that is the way out of a lockout).
  const { count } = await db.ownerAccount.updateMany({
    where: options.whileUnlocked
      ? { id: account.id, OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] }
      : { id: account.id },
    data: { lastSignInAt: now, failedSignIns: 0, lockedUntil: null },
  });
  if (count !== 1) throw locked();
  const token = newToken();
  const csrfToken = newToken();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db.adminSession.create({
    data: {
      id: hashToken(token),
      storeId: account.storeId,
      accountId: account.id,
      csrfToken,
      createdAt: now,
      expiresAt,
      lastSeenAt: now,
    },
  });
  return { token, storeId: account.storeId, accountId: account.id, csrfToken, expiresAt };
}

const WRONG = "wrong email or password";

function locked(): AppError {
  return new AppError("rate_limited", "too many wrong passwords; try again later or sign in with an emailed link");
}

/**
 * A new session for the right email and password. Every failure says the same thing; after
 * MAX_FAILED_SIGN_INS wrong passwords in a row the account refuses passwords for LOCKOUT_MS. Failures are
 * counted by the database (failedSignIns = failedSignIns + 1, returning the new count), so concurrent wrong
 * passwords each count.
 */
export async function signInWithPassword(
  db: Db,
  email: string,
  password: string,
  now = new Date(),
): Promise<AdminSessionGrant> {
  const account = await db.ownerAccount.findUnique({ where: { email: normalizeEmail(email) } });
  if (!account?.passwordHash) {
    decoy ??= hashPassword("decoy password for unknown accounts");
    const decoyHash = await decoy;
    await withSignInHashSlot(() => verifyPassword(password, decoyHash));
    throw new AppError("unauthorized", WRONG);
  }
  if (account.lockedUntil && account.lockedUntil > now) throw locked();
  const passwordHash = account.passwordHash;
  if (!(await withSignInHashSlot(() => verifyPassword(password, passwordHash)))) {
    const { failedSignIns } = await db.ownerAccount.update({
      where: { id: account.id },
      data: { failedSignIns: { increment: 1 } },
      select: { failedSignIns: true },
    });
    if (failedSignIns >= MAX_FAILED_SIGN_INS) {
      // Whichever failure reached the limit first locks; the count starts again for after the lockout.
      await db.ownerAccount.updateMany({
        where: { id: account.id, failedSignIns: { gte: MAX_FAILED_SIGN_INS } },
        data: { failedSignIns: 0, lockedUntil: new Date(now.getTime() + LOCKOUT_MS) },
      });
    }
    throw new AppError("unauthorized", WRONG);
  }
  return startSession(db, account, now, { whileUnlocked: true });
}

/**
 * A one-time sign-in link's token for the account with this email, or null when there is none or it already
 * has MAX_PENDING_SIGN_IN_LINKS unused links from the last SIGN_IN_LINK_WINDOW_MS (the page says the same
 * either way). The caller sends (or in development, logs) the link.
 */
export async function createSignInToken(
  db: Db,
  email: string,
  now = new Date(),
): Promise<{ token: string; storeId: string; email: string; expiresAt: Date } | null> {
  const account = await db.ownerAccount.findUnique({ where: { email: normalizeEmail(email) } });
  if (!account) return null;
  const pending = await db.signInToken.count({ where: { accountId: account.id, ...pendingLinksWhere(now) } });
  if (pending >= MAX_PENDING_SIGN_IN_LINKS) return null;
  const token = newToken();
  const expiresAt = signInLinkExpiresAt(now);
  await db.signInToken.create({
    data: { id: hashToken(token), storeId: account.storeId, accountId: account.id, expiresAt, createdAt: now },
  });
  return { token, storeId: account.storeId, email: account.email, expiresAt };
}

/** Spends a sign-in link's token (once, before it expires) on a new session. */
export async function redeemSignInToken(db: Db, token: string, now = new Date()): Promise<AdminSessionGrant> {
  const id = hashToken(token);
  if (!(await consumeLinkOnce(db.signInToken, { id }, now))) {
    throw new AppError("unauthorized", "this sign-in link has expired or was already used");
  }
  const row = await db.signInToken.findUniqueOrThrow({ where: { id } });
  const account = await db.ownerAccount.findFirst({ where: { id: row.accountId, storeId: row.storeId } });
  if (!account) throw new AppError("unauthorized", "this sign-in link has expired or was already used");
  return startSession(db, account, now, { whileUnlocked: false });
}

export interface AdminSession {
  storeId: string;
  accountId: string;
  email: string;
  csrfToken: string;
  expiresAt: Date;
}

/** The live session a cookie token names, or null. */
export async function getAdminSession(db: Db, token: string | null, now = new Date()): Promise<AdminSession | null> {
  if (!token || token.length > 200) return null;
  const row = await db.adminSession.findUnique({ where: { id: hashToken(token) } });
  if (!row || row.expiresAt <= now) return null;
  const account = await db.ownerAccount.findFirst({
    where: { id: row.accountId, storeId: row.storeId },
    select: { email: true },
  });
  if (!account) return null;
  if (now.getTime() - row.lastSeenAt.getTime() > SEEN_RESOLUTION_MS) {
    await db.adminSession.updateMany({ where: { id: row.id }, data: { lastSeenAt: now } });
  }
  return {
    storeId: row.storeId,
    accountId: row.accountId,
    email: account.email,
    csrfToken: row.csrfToken,
    expiresAt: row.expiresAt,
  };
}

export async function endAdminSession(db: Db, token: string | null): Promise<void> {
  if (!token) return;
  await db.adminSession.deleteMany({ where: { id: hashToken(token) } });
}

/**
 * Deletes expired sessions and spent sign-in links, and expired unused links once they no longer count
 * towards MAX_PENDING_SIGN_IN_LINKS.
 */
export async function purgeAdminSessions(db: Db, now = new Date()): Promise<number> {
  const sessions = await db.adminSession.deleteMany({ where: { expiresAt: { lte: now } } });
  const tokens = await db.signInToken.deleteMany({
    where: {
      OR: [{ usedAt: { not: null } }, purgeableLinksWhere(now)],
    },
  });
  return sessions.count + tokens.count;
}
