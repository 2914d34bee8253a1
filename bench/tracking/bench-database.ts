// What the tracking benchmarks share: a scratch database and a description of the machine.
import { execSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { providerOf } from "../../core/src/db/client.ts";

/**
 * A fresh, empty database: a new PostgreSQL database beside the one DATABASE_URL names when it names one,
 * otherwise a SQLite file in a temp dir. drop() removes it.
 */
export async function openBenchDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const configured = process.env.DATABASE_URL;
  if (configured !== undefined && providerOf(configured) === "postgresql") {
    const database = `tm_bench_${name}_${process.pid}`;
    const admin = new pg.Client({ connectionString: configured });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(configured);
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

/** "2 CPUs (nproc), <model>, Node vX": the line each table is printed under. */
export function machineLine(): string {
  let model = cpus()[0]?.model ?? "unknown CPU";
  try {
    model = execSync("lscpu | sed -n 's/^Model name:\\s*//p'", { encoding: "utf8" }).trim() || model;
  } catch {}
  return `${cpus().length} CPUs (nproc), ${model}, Node ${process.version}`;
}
