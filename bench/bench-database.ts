// What the benchmarks share: a scratch database and a description of the machine.
import { execSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { type Database, migrate, openDatabase, providerOf, tuneSqlite } from "@trailmark/core/db";
import pg from "pg";

export type Provider = "sqlite" | "postgresql";

/**
 * A fresh, empty database, named after the benchmark. PostgreSQL when `provider` says so or, without one,
 * when DATABASE_URL names a PostgreSQL server: a new database beside the one DATABASE_URL (or BENCH_PG_URL)
 * names. Otherwise a SQLite file in a temp dir. drop() removes it.
 */
async function openBenchDatabase(name: string, provider?: Provider): Promise<{ url: string; drop(): Promise<void> }> {
  const configured = process.env.DATABASE_URL;
  const fromEnv = configured !== undefined && providerOf(configured) === "postgresql" ? configured : undefined;
  if (provider === "postgresql" || (provider === undefined && fromEnv !== undefined)) {
    const base = fromEnv ?? process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
    const database = `tm_bench_${name}_${process.pid}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(base);
    url.pathname = `/${database}`;
    return {
      url: url.toString(),
      async drop() {
        await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), `trailmark-bench-${name}-`));
  return { url: `file:${join(dir, "bench.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** openBenchDatabase, opened, tuned and migrated; drop() also closes it. */
export async function scratchDatabase(
  name: string,
  provider?: Provider,
): Promise<{ database: Database; drop(): Promise<void> }> {
  const scratch = await openBenchDatabase(name, provider);
  const database = openDatabase(scratch.url);
  await tuneSqlite(database);
  await migrate(database);
  return {
    database,
    async drop() {
      await database.close();
      await scratch.drop();
    },
  };
}

/** "2 CPUs (nproc), <model>, Node vX": the line each table is printed under. */
export function machineLine(): string {
  let model = cpus()[0]?.model ?? "unknown CPU";
  try {
    model = execSync("lscpu | sed -n 's/^Model name:\\s*//p'", { encoding: "utf8" }).trim() || model;
  } catch {}
  return `${cpus().length} CPUs (nproc), ${model}, Node ${process.version}`;
}
