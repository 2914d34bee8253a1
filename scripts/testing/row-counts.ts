// The number of rows in every table, read in one query: what a test compares before and after a request that
// was refused, to see that nothing was written for it.
import type { Database } from "@trailmark/core/db";

// Written by the product's own background work, whatever the requests: migrations, and the periodic jobs' leases
// (core/src/jobs), which any instance claims on its own schedule.
const BACKGROUND_TABLES = new Set(["_prisma_migrations", "JobLease"]);

export async function tableNames(database: Database): Promise<string[]> {
  const rows =
    database.provider === "postgresql"
      ? await database.db.$queryRawUnsafe<{ name: string }[]>(
          "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
      : await database.db.$queryRawUnsafe<{ name: string }[]>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        );
  return rows.map((r) => r.name).filter((name) => !BACKGROUND_TABLES.has(name));
}

/** Rows per table, keyed by table name. */
export async function rowCounts(database: Database, tables: string[]): Promise<Record<string, number>> {
  const sql = tables.map((t) => `SELECT CAST('${t}' AS TEXT) AS name, COUNT(*) AS n FROM "${t}"`).join(" UNION ALL ");
  const rows = await database.db.$queryRawUnsafe<{ name: string; n: bigint | number }[]>(sql);
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
}

/** The tables whose counts differ, as "Table: before -> after". */
export function changedTables(before: Record<string, number>, after: Record<string, number>): string[] {
  return Object.keys(after)
    .filter((t) => before[t] !== after[t])
    .map((t) => `${t}: ${before[t]} -> ${after[t]}`);
}
