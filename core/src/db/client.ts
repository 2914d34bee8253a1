// Chooses the generated Prisma client for the database DATABASE_URL names. Both clients come from the one
// schema, so they share one API; the SQLite client's type stands for both.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as PostgresClient } from "./generated/postgresql/index.js";
import { Prisma, PrismaClient as SqliteClient } from "./generated/sqlite/index.js";
import { serializedSqlite } from "./serialized-sqlite.ts";

export type Db = SqliteClient;

/** Tagged SQL for the few set-based statements Prisma's query API cannot express; placeholders follow the provider. */
export const sql = Prisma.sql;
export const joinSql = Prisma.join;

// Shared through a registered symbol: the Shopify app's server bundle has its own copy of this module, and a
// client opened by the unbundled server (npm start, tests) must still be known to it.
const PROVIDERS = Symbol.for("trailmark.db.providers");
type ProviderRegistry = typeof globalThis & { [PROVIDERS]?: WeakMap<object, Provider> };
const registry = globalThis as ProviderRegistry;
registry[PROVIDERS] ??= new WeakMap<object, Provider>();
const providers = registry[PROVIDERS];

/** Which database a client talks to, for the rare statement whose SQL differs (row locks). */
export function providerOfDb(db: object): Provider {
  return providers.get(db) ?? "sqlite";
}
export type Provider = "sqlite" | "postgresql";

export const DEFAULT_DATABASE_URL = "file:./data/trailmark.db";

export function providerOf(url: string): Provider {
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  if (url.startsWith("file:")) return "sqlite";
  throw new Error(
    `DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), got "${url.split(":")[0]}:"`,
  );
}

export function sqlitePath(url: string): string {
  return url.replace(/^file:/, "").replace(/\?.*$/, "");
}

export interface Database {
  db: Db;
  provider: Provider;
  url: string;
  close(): Promise<void>;
}

export function openDatabase(url: string = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL): Database {
  const provider = providerOf(url);
  if (provider === "sqlite") mkdirSync(dirname(resolve(sqlitePath(url))), { recursive: true });
  const db =
    provider === "postgresql"
      ? (new PostgresClient({ adapter: new PrismaPg({ connectionString: url, max: 20 }) }) as unknown as Db)
      : new SqliteClient({
          adapter: serializedSqlite(
            new PrismaBetterSQLite3({ url: sqlitePath(url) }, { timestampFormat: "unixepoch-ms" }),
          ),
        });
  providers.set(db, provider);
  return { db, provider, url, close: () => db.$disconnect() };
}
