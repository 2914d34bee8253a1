// Vitest global setup: migrates one template database per run; every test file then gets its own copy
// (a copied SQLite file, or CREATE DATABASE … TEMPLATE on PostgreSQL), so tests never share rows.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openDatabase, providerOf } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";

export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export default async function setup({ provide }: { provide: (key: string, value: string) => void }) {
  const url = process.env.DATABASE_URL ?? "file:./data/trailmark.db";
  if (providerOf(url) === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "trailmark-test-"));
    const template = join(dir, "template.db");
    const database = openDatabase(`file:${template}`);
    await migrate(database);
    await database.db.$queryRawUnsafe("PRAGMA journal_mode = DELETE");
    await database.close();
    provide("templateDatabase", `file:${template}`);
    return () => rmSync(dir, { recursive: true, force: true });
  }
  const name = `tm_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: withDatabaseName(url, "postgres") });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  const database = openDatabase(withDatabaseName(url, name));
  await migrate(database);
  await database.close();
  provide("templateDatabase", withDatabaseName(url, name));
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  };
}
