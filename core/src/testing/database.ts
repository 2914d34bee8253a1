// A fresh, migrated database for one test file, on whichever provider DATABASE_URL selects.
import { randomBytes } from "node:crypto";
import { copyFileSync, rmSync } from "node:fs";
import pg from "pg";
import { inject } from "vitest";
import { type Database, openDatabase, providerOf, sqlitePath } from "../db/client.ts";
import { tuneSqlite } from "../db/sqlite-pragmas.ts";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

export interface TestDatabase extends Database {
  /** Closes the client and drops the database. */
  destroy(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const template = inject("templateDatabase");
  const suffix = randomBytes(6).toString("hex");
  if (providerOf(template) === "sqlite") {
    const path = sqlitePath(template).replace(/template\.db$/, `t-${suffix}.db`);
    copyFileSync(sqlitePath(template), path);
    const database = openDatabase(`file:${path}`);
    await tuneSqlite(database);
    return {
      ...database,
      async destroy() {
        await database.close();
        for (const ext of ["", "-wal", "-shm"]) rmSync(path + ext, { force: true });
      },
    };
  }
  const templateUrl = new URL(template);
  const templateName = templateUrl.pathname.slice(1);
  const name = `tm_t_${suffix}`;
  const adminUrl = new URL(template);
  adminUrl.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  // CREATE DATABASE … TEMPLATE fails while another session is copying the same template; retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateName}`);
      break;
    } catch (error) {
      if (attempt > 50) throw error;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }
  const url = new URL(template);
  url.pathname = `/${name}`;
  const database = openDatabase(url.toString());
  return {
    ...database,
    async destroy() {
      await database.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
