import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "../db/client.ts";
import { createPortal } from "../portal/index.ts";
import { createMemoryMailer } from "../portal/mailer.ts";
import { openLink, requestLink } from "../portal/portal-test-kit.ts";
import { SESSION_TTL_MS as PORTAL_SESSION_TTL_MS } from "../portal/sessions.ts";
import { createStore } from "../stores/store.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { seedProgram } from "../testing/fixtures.ts";
import {
  createOwner,
  createSignInToken,
  redeemSignInToken,
  SESSION_TTL_MS,
  signInWithPassword,
} from "./owner-accounts.ts";
import { startSessionPurge } from "./session-purge.ts";

// The scheduled purge of the admin's and the portal's expired sessions and spent sign-in links, on a real
// database with a short interval.

let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});
afterAll(async () => {
  await database?.destroy();
});

const PASSWORD = "correct horse battery staple";

async function counts() {
  const [adminSessions, signInTokens, creatorSessions, creatorTokens] = await Promise.all([
    db.adminSession.count(),
    db.signInToken.count(),
    db.creatorSession.count(),
    db.creatorSignInToken.count(),
  ]);
  return { adminSessions, signInTokens, creatorSessions, creatorTokens };
}

describe("the session purge", () => {
  it("sweeps at start and then on every tick until stopped", async () => {
    const { store } = await createStore(db, { platform: "custom", domain: "purge.example.com" });
    await createOwner(db, store.id, "purge@example.com", PASSWORD);
    // A session and a spent link of the admin, a session and a spent link of the portal.
    await signInWithPassword(db, "purge@example.com", PASSWORD);
    const link = await createSignInToken(db, "purge@example.com");
    await redeemSignInToken(db, link!.token);
    await seedProgram(db, { creators: [{ name: "Ada", email: "ada@example.com" }] });
    const mailer = createMemoryMailer();
    const portal = createPortal({ db, publicUrl: "https://go.example.com", mailer });
    await requestLink(portal, "ada@example.com");
    expect((await openLink(portal, mailer.sent[0]!.url)).answer!.status).toBe(303);
    expect(await counts()).toEqual({ adminSessions: 2, signInTokens: 1, creatorSessions: 1, creatorTokens: 1 });

    // The purge's clock: past every session's expiry (the portal's last longest) and the links' hour.
    let clock = new Date(Date.now() + PORTAL_SESSION_TTL_MS + 2 * 3_600_000);
    const purge = startSessionPurge({ db, intervalMs: 40, now: () => clock });
    try {
      await vi.waitFor(
        async () =>
          expect(await counts()).toEqual({ adminSessions: 0, signInTokens: 0, creatorSessions: 0, creatorTokens: 0 }),
        { timeout: 10_000 },
      );
      // New rows that expire are taken by a later tick, without restarting anything. The clock goes back to
      // the present first, or the new session would already be expired on the purge's clock.
      clock = new Date();
      await signInWithPassword(db, "purge@example.com", PASSWORD);
      await new Promise((r) => setTimeout(r, 120));
      expect((await counts()).adminSessions).toBe(1);
      clock = new Date(Date.now() + 2 * SESSION_TTL_MS);
      await vi.waitFor(async () => expect((await counts()).adminSessions).toBe(0), { timeout: 10_000 });
    } finally {
      await purge.stop();
    }

    // Stopped: nothing is swept any more.
    await signInWithPassword(db, "purge@example.com", PASSWORD);
    await new Promise((r) => setTimeout(r, 200));
    expect((await counts()).adminSessions).toBe(1);
  });

  it("logs a failed sweep and keeps its schedule", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    let calls = 0;
    const failing = new Proxy(db, {
      get(target, prop) {
        if (prop === "adminSession") {
          return {
            deleteMany: async () => {
              calls++;
              throw new Error("database is locked");
            },
          };
        }
        return Reflect.get(target, prop, target);
      },
    });
    const purge = startSessionPurge({ db: failing, intervalMs: 30 });
    try {
      await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("session purge failed: Error: database is locked"));
    } finally {
      await purge.stop();
      warn.mockRestore();
    }
  });

  it("does not keep the process alive", async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const purge = startSessionPurge({ db, intervalMs: 60_000 });
    try {
      // An unref'd interval is not an active resource that holds the event loop.
      const after = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
      expect(after).toBe(before);
    } finally {
      await purge.stop();
    }
  });
});
