import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "../db/client.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { createLinkCache, isTracking } from "./link-cache.ts";
import { insertTestLink } from "./test-links.ts";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.destroy();
});

// Counts lookups, and fails them on demand.
function countingDb() {
  const state = { queries: 0, fail: false };
  const db = {
    trackingLink: {
      findUnique: (args: Parameters<Db["trackingLink"]["findUnique"]>[0]) => {
        state.queries++;
        return state.fail ? Promise.reject(new Error("connection lost")) : database.db.trackingLink.findUnique(args);
      },
    },
  } as unknown as Db;
  return { db, state };
}

describe("createLinkCache", () => {
  it("serves a link from memory within the TTL and reloads it after", async () => {
    const link = await insertTestLink(database.db);
    const { db, state } = countingDb();
    let now = 1_000;
    const cache = createLinkCache({ db, ttlMs: 5_000, nowMs: () => now });
    expect((await cache.get(link.code))?.id).toBe(link.linkId);
    await cache.get(link.code);
    expect(state.queries).toBe(1);

    await database.db.trackingLink.update({ where: { id: link.linkId }, data: { status: "paused" } });
    now += 4_999;
    expect((await cache.get(link.code))?.enabled).toBe(true);
    now += 1;
    expect((await cache.get(link.code))?.enabled).toBe(false);
    expect(state.queries).toBe(2);
  });

  it("peek answers only from a fresh entry, never querying", async () => {
    const link = await insertTestLink(database.db);
    const { db, state } = countingDb();
    let now = 1_000;
    const cache = createLinkCache({ db, ttlMs: 5_000, nowMs: () => now });
    expect(cache.peek(link.code)).toBeUndefined();
    expect(cache.peek("unknown-code")).toBeUndefined();
    expect(state.queries).toBe(0);
    await cache.get(link.code);
    await cache.get("unknown-code");
    expect(cache.peek(link.code)?.id).toBe(link.linkId);
    expect(cache.peek("unknown-code")).toBeNull();
    now += 5_000;
    expect(cache.peek(link.code)).toBeUndefined();
    expect(state.queries).toBe(2);
  });

  it("remembers unknown codes", async () => {
    const { db, state } = countingDb();
    const cache = createLinkCache({ db });
    expect(await cache.get("unknown-code")).toBeNull();
    expect(await cache.get("unknown-code")).toBeNull();
    expect(state.queries).toBe(1);
  });

  it("shares one query between concurrent misses", async () => {
    const link = await insertTestLink(database.db);
    const { db, state } = countingDb();
    const cache = createLinkCache({ db });
    const found = await Promise.all(Array.from({ length: 20 }, () => cache.get(link.code)));
    expect(found.every((l) => l?.id === link.linkId)).toBe(true);
    expect(state.queries).toBe(1);
  });

  it("keeps serving an expired link while the database fails, and fails for codes it never saw", async () => {
    const link = await insertTestLink(database.db);
    const { db, state } = countingDb();
    let now = 0;
    const cache = createLinkCache({ db, ttlMs: 1_000, nowMs: () => now });
    await cache.get(link.code);
    state.fail = true;
    now += 5_000;
    expect((await cache.get(link.code))?.id).toBe(link.linkId);
    await expect(cache.get("never-seen")).rejects.toThrow("connection lost");
  });

  it("treats a link with an unusable destination as unknown", async () => {
    const link = await insertTestLink(database.db, { destinationUrl: "javascript:alert(1)" });
    const onInvalidDestination = vi.fn();
    const cache = createLinkCache({ db: database.db, onInvalidDestination });
    expect(await cache.get(link.code)).toBeNull();
    expect(onInvalidDestination).toHaveBeenCalledWith({ id: link.linkId, code: link.code });
  });

  it("does not track links of archived creators or uninstalled stores", async () => {
    const archived = await insertTestLink(database.db);
    await database.db.creator.update({ where: { id: archived.creatorId }, data: { status: "archived" } });
    const uninstalled = await insertTestLink(database.db);
    await database.db.store.update({ where: { id: uninstalled.storeId }, data: { status: "uninstalled" } });
    const live = await insertTestLink(database.db);
    const cache = createLinkCache({ db: database.db });
    const now = new Date();
    expect(isTracking((await cache.get(archived.code))!, now)).toBe(false);
    expect(isTracking((await cache.get(uninstalled.code))!, now)).toBe(false);
    expect(isTracking((await cache.get(live.code))!, now)).toBe(true);
  });
});
