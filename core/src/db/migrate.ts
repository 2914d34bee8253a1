// Applies pending migrations from prisma/migrations at start-up and in tests. Prisma's own migrate deploy
// needs a schema engine that cannot run offline against PostgreSQL, so this applies the SQL itself: each
// migration folder has migration.sql (SQLite) and postgresql.sql (the same step for PostgreSQL). Applied
// migrations are recorded in Prisma's _prisma_migrations table, so `prisma migrate status` agrees on SQLite.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Database } from "./client.ts";

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../../prisma/migrations");

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(provider: Database["provider"], dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const file = join(dir, name, provider === "postgresql" ? "postgresql.sql" : "migration.sql");
      if (!existsSync(file)) throw new Error(`migration ${name} has no ${provider} script (${file})`);
      const sql = readFileSync(file, "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

// Prisma's generated SQL has no procedural bodies, so statements end at a semicolon at the end of a line.
function statements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
    .filter(Boolean);
}

const LEDGER_SQLITE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME, "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME, "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`;
const LEDGER_PG = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`;

/** Applies every migration not yet applied, in order; returns the names it applied. */
export async function migrate(database: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  const { db, provider } = database;
  const pending = listMigrations(provider, dir);
  const applied: string[] = [];
  await db.$executeRawUnsafe(provider === "postgresql" ? LEDGER_PG : LEDGER_SQLITE);
  await db.$transaction(
    async (tx) => {
      // Two processes starting at once must not both apply a migration.
      if (provider === "postgresql") await tx.$executeRawUnsafe("SELECT pg_advisory_xact_lock(727274)");
      const done = await tx.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>(
        `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      const byName = new Map(done.map((r) => [r.migration_name, r.checksum]));
      for (const m of pending) {
        const recorded = byName.get(m.name);
        if (recorded !== undefined) {
          if (recorded !== m.checksum && provider === "postgresql") {
            throw new Error(`migration ${m.name} was changed after it was applied`);
          }
          continue;
        }
        const steps = statements(m.sql);
        for (const s of steps) await tx.$executeRawUnsafe(s);
        const now = new Date();
        await tx.$executeRawUnsafe(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES ${provider === "postgresql" ? "($1, $2, $3, $4, $5, $6)" : "(?, ?, ?, ?, ?, ?)"}`,
          randomUUID(),
          m.checksum,
          m.name,
          provider === "postgresql" ? now : now.getTime(),
          provider === "postgresql" ? now : now.getTime(),
          steps.length,
        );
        applied.push(m.name);
      }
    },
    { timeout: 120_000, maxWait: 60_000 },
  );
  return applied;
}
