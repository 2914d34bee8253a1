import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerOf } from "../db/client.ts";
import { listMigrations } from "../db/migrate.ts";
import { openRuntimeDatabase } from "../db/open-database.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";

// Every start-up opens its database here (npm start's primary and instances, each part on its own, the inbox
// thread, the demo): none may skip the SQLite tuning or the migrations, as the Shopify app's own start once did.

describe("the runtime's database", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "trailmark-runtime-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("tunes a new SQLite database and applies every migration, then nothing the second time", async () => {
    const url = `file:${join(dir, "fresh.db")}`;
    const first = await openRuntimeDatabase(url);
    try {
      const [mode] = await first.db.$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
      const [sync] = await first.db.$queryRawUnsafe<{ synchronous: bigint | number }[]>("PRAGMA synchronous");
      const [busy] = await first.db.$queryRawUnsafe<{ timeout: bigint | number }[]>("PRAGMA busy_timeout");
      expect(mode?.journal_mode).toBe("wal");
      expect(Number(sync?.synchronous)).toBe(1); // NORMAL
      expect(Number(busy?.timeout)).toBe(5000);
      const rows = await first.db.$queryRawUnsafe<{ migration_name: string }[]>(
        `SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      expect(rows.map((r) => r.migration_name)).toEqual(listMigrations("sqlite").map((m) => m.name));
    } finally {
      await first.close();
    }
    const again = await openRuntimeDatabase(url);
    const count = await again.db.$queryRawUnsafe<{ n: bigint | number }[]>(
      `SELECT COUNT(*) AS n FROM "_prisma_migrations"`,
    );
    expect(Number(count[0]?.n)).toBe(listMigrations("sqlite").length);
    await again.close();
  });

  it("can leave the migrations to another process (the inbox thread opens after its main thread migrated)", async () => {
    const url = `file:${join(dir, "unmigrated.db")}`;
    const database = await openRuntimeDatabase(url, { migrate: false });
    const [mode] = await database.db.$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
    expect(mode?.journal_mode).toBe("wal");
    const tables = await database.db.$queryRawUnsafe<{ name: string }[]>(
      `SELECT name FROM sqlite_master WHERE type = 'table'`,
    );
    expect(tables).toEqual([]);
    await database.close();
  });
});

describe("the runtime's database on the test provider", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.destroy());

  it("opens a migrated database without applying anything again", async () => {
    const opened = await openRuntimeDatabase(database.url);
    try {
      expect(opened.provider).toBe(providerOf(database.url));
      const count = await opened.db.$queryRawUnsafe<{ n: bigint | number }[]>(
        `SELECT COUNT(*) AS n FROM "_prisma_migrations"`,
      );
      expect(Number(count[0]?.n)).toBe(listMigrations(opened.provider).length);
    } finally {
      await opened.close();
    }
  });
});
