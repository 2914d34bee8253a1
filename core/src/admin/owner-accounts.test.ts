import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  isValidCsrfToken,
  MAX_PENDING_SIGN_IN_LINKS,
  SIGN_IN_LINK_TTL_MS,
  SIGN_IN_LINK_WINDOW_MS,
} from "../shared/sign-in-link.ts";
import { createStore } from "../stores/store.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import {
  createOwner,
  createSignInToken,
  endAdminSession,
  getAdminSession,
  hashPassword,
  LOCKOUT_MS,
  MAX_FAILED_SIGN_INS,
  purgeAdminSessions,
  redeemSignInToken,
  SESSION_TTL_MS,
  setOwnerPassword,
  signInWithPassword,
  verifyPassword,
} from "./owner-accounts.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

const PASSWORD = "correct horse battery staple";
let n = 0;
async function newStore() {
  n++;
  return (await createStore(database.db, { platform: "custom", domain: `owner-${n}-${Date.now()}.example.com` })).store;
}

describe("password hashing", () => {
  it("salts every hash with scrypt and verifies only the right password", async () => {
    const a = await hashPassword(PASSWORD);
    const b = await hashPassword(PASSWORD);
    expect(a).toMatch(/^scrypt\$15\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(PASSWORD, a)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, a)).toBe(false);
    expect(await verifyPassword(PASSWORD, "plain")).toBe(false);
  });
});

describe("owner accounts", () => {
  it("creates an owner, signs in with the password and finds the session by its cookie token only", async () => {
    const { db } = database;
    const store = await newStore();
    const owner = await createOwner(db, store.id, "  Owner1@Example.com ", PASSWORD);
    expect(owner).toMatchObject({ storeId: store.id, email: "owner1@example.com", hasPassword: true });
    const row = await db.ownerAccount.findUniqueOrThrow({ where: { id: owner.id } });
    expect(row.passwordHash).not.toContain(PASSWORD);

    const grant = await signInWithPassword(db, "OWNER1@example.com", PASSWORD);
    expect(grant.storeId).toBe(store.id);
    expect(await db.adminSession.count({ where: { id: grant.token } })).toBe(0);
    const session = await getAdminSession(db, grant.token);
    expect(session).toMatchObject({ storeId: store.id, email: "owner1@example.com", csrfToken: grant.csrfToken });
    expect(await getAdminSession(db, `${grant.token}x`)).toBeNull();
    expect(await getAdminSession(db, grant.token, new Date(Date.now() + SESSION_TTL_MS + 1000))).toBeNull();

    await endAdminSession(db, grant.token);
    expect(await getAdminSession(db, grant.token)).toBeNull();
  });

  it("refuses a wrong password and an unknown email alike", async () => {
    const { db } = database;
    const store = await newStore();
    await createOwner(db, store.id, "owner2@example.com", PASSWORD);
    await expect(signInWithPassword(db, "owner2@example.com", "wrong password!!")).rejects.toMatchObject({
      code: "unauthorized",
      message: "wrong email or password",
    });
    await expect(signInWithPassword(db, "nobody@example.com", PASSWORD)).rejects.toMatchObject({
      code: "unauthorized",
      message: "wrong email or password",
    });
  });

  it("locks an account after too many wrong passwords in a row", async () => {
    const { db } = database;
    const store = await newStore();
    const owner = await createOwner(db, store.id, "owner3@example.com", PASSWORD);
    // Skip the slow hashes: record the failures as the sign-in would.
    await db.ownerAccount.update({ where: { id: owner.id }, data: { failedSignIns: MAX_FAILED_SIGN_INS - 1 } });
    const now = new Date();
    await expect(signInWithPassword(db, "owner3@example.com", "wrong password!!", now)).rejects.toMatchObject({
      code: "unauthorized",
    });
    await expect(signInWithPassword(db, "owner3@example.com", PASSWORD, now)).rejects.toMatchObject({
      code: "rate_limited",
    });
    const later = new Date(now.getTime() + LOCKOUT_MS + 1000);
    expect((await signInWithPassword(db, "owner3@example.com", PASSWORD, later)).storeId).toBe(store.id);
  });

  it("counts 40 concurrent wrong passwords, so the account ends locked and the right password is refused", async () => {
    const { db } = database;
    const store = await newStore();
    await createOwner(db, store.id, "race@example.com", PASSWORD);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => signInWithPassword(db, "race@example.com", `wrong password ${i}!`)),
    );
    const codes = outcomes.map((o) => (o.status === "rejected" ? (o.reason as { code: string }).code : "signed in"));
    // Some are refused as busy before hashing (the bounded queue) and, once locked, the rest as locked.
    expect(codes.filter((c) => c === "unauthorized").length).toBeGreaterThanOrEqual(MAX_FAILED_SIGN_INS);
    expect(codes.every((c) => c === "unauthorized" || c === "rate_limited")).toBe(true);
    const account = await db.ownerAccount.findUniqueOrThrow({ where: { email: "race@example.com" } });
    expect(account.lockedUntil?.getTime()).toBeGreaterThan(Date.now());
    await expect(signInWithPassword(db, "race@example.com", PASSWORD)).rejects.toMatchObject({ code: "rate_limited" });
  });

  it("does not let a right password that raced a lockout unlock the account", async () => {
    const { db } = database;
    const store = await newStore();
    const owner = await createOwner(db, store.id, "raced@example.com", PASSWORD);
    const now = new Date();
    // The right password is being checked while other requests' wrong passwords lock the account.
    const signingIn = signInWithPassword(db, "raced@example.com", PASSWORD, now);
    await db.ownerAccount.update({
      where: { id: owner.id },
      data: { lockedUntil: new Date(now.getTime() + LOCKOUT_MS) },
    });
    await expect(signingIn).rejects.toMatchObject({ code: "rate_limited" });
    expect(await db.adminSession.count({ where: { accountId: owner.id } })).toBe(0);
  });

  it("refuses a short password, a second account for one email and an unknown store", async () => {
    const { db } = database;
    const store = await newStore();
    await expect(createOwner(db, store.id, "owner4@example.com", "short")).rejects.toMatchObject({ code: "invalid" });
    await createOwner(db, store.id, "owner4@example.com", PASSWORD);
    const other = await newStore();
    await expect(createOwner(db, other.id, "OWNER4@example.com", PASSWORD)).rejects.toMatchObject({ code: "conflict" });
    await expect(createOwner(db, "st_missing", "owner5@example.com", PASSWORD)).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(createOwner(db, store.id, "not an email", PASSWORD)).rejects.toMatchObject({ code: "invalid" });
  });

  it("signs in once with an emailed link before it expires", async () => {
    const { db } = database;
    const store = await newStore();
    await createOwner(db, store.id, "linked@example.com", null);
    await expect(signInWithPassword(db, "linked@example.com", PASSWORD)).rejects.toMatchObject({
      code: "unauthorized",
    });
    expect(await createSignInToken(db, "unknown@example.com")).toBeNull();
    const link = await createSignInToken(db, "Linked@example.com");
    expect(link).toMatchObject({ storeId: store.id, email: "linked@example.com" });
    const grant = await redeemSignInToken(db, link!.token);
    expect((await getAdminSession(db, grant.token))?.storeId).toBe(store.id);
    await expect(redeemSignInToken(db, link!.token)).rejects.toMatchObject({ code: "unauthorized" });
    const late = await createSignInToken(db, "linked@example.com");
    await expect(
      redeemSignInToken(db, late!.token, new Date(Date.now() + SIGN_IN_LINK_TTL_MS + 1000)),
    ).rejects.toMatchObject({ code: "unauthorized" });
    expect(
      await purgeAdminSessions(db, new Date(Date.now() + SESSION_TTL_MS + SIGN_IN_LINK_TTL_MS)),
    ).toBeGreaterThanOrEqual(3);
  });

  it("keeps at most MAX_PENDING_SIGN_IN_LINKS unused links per account within the hour", async () => {
    const { db } = database;
    const store = await newStore();
    const owner = await createOwner(db, store.id, "pending@example.com", null);
    const start = new Date("2026-06-01T10:00:00Z");
    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
    const links = [];
    for (let i = 0; i < MAX_PENDING_SIGN_IN_LINKS; i++)
      links.push(await createSignInToken(db, "pending@example.com", at(i)));
    expect(links.every((l) => l !== null)).toBe(true);
    // Held back: null, exactly as for an address without an account.
    expect(await createSignInToken(db, "pending@example.com", at(10))).toBeNull();
    // A used link no longer counts.
    await redeemSignInToken(db, links[4]!.token, at(10));
    expect(await createSignInToken(db, "pending@example.com", at(11))).not.toBeNull();
    expect(await createSignInToken(db, "pending@example.com", at(12))).toBeNull();

    // The purge keeps expired unused links while they still count, so the limit survives it.
    await purgeAdminSessions(db, at(30));
    expect(await db.signInToken.count({ where: { accountId: owner.id } })).toBe(MAX_PENDING_SIGN_IN_LINKS);
    expect(await createSignInToken(db, "pending@example.com", at(30))).toBeNull();
    // An hour after the oldest, one more may go; an hour after all of them, the purge takes them.
    expect(
      await createSignInToken(db, "pending@example.com", new Date(at(0).getTime() + SIGN_IN_LINK_WINDOW_MS + 1)),
    ).not.toBeNull();
    await purgeAdminSessions(db, new Date(at(12).getTime() + SIGN_IN_LINK_WINDOW_MS + SIGN_IN_LINK_TTL_MS));
    expect(await db.signInToken.count({ where: { accountId: owner.id, createdAt: { lte: at(12) } } })).toBe(0);
  });

  it("signs the owner out everywhere when the password changes", async () => {
    const { db } = database;
    const store = await newStore();
    await createOwner(db, store.id, "changer@example.com", PASSWORD);
    const grant = await signInWithPassword(db, "changer@example.com", PASSWORD);
    await setOwnerPassword(db, store.id, "changer@example.com", "a brand new passphrase");
    expect(await getAdminSession(db, grant.token)).toBeNull();
    expect((await signInWithPassword(db, "changer@example.com", "a brand new passphrase")).storeId).toBe(store.id);
    const other = await newStore();
    await expect(setOwnerPassword(db, other.id, "changer@example.com", "a brand new passphrase")).rejects.toMatchObject(
      {
        code: "not_found",
      },
    );
  });

  it("compares CSRF tokens exactly", () => {
    expect(isValidCsrfToken("abc", "abc")).toBe(true);
    expect(isValidCsrfToken("abc", "abd")).toBe(false);
    expect(isValidCsrfToken("abc", "ab")).toBe(false);
    expect(isValidCsrfToken("abc", null)).toBe(false);
    expect(isValidCsrfToken("abc", "")).toBe(false);
  });
});
