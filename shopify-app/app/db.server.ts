import { type Database, openDatabase } from "@trailmark/core/db";

// One database per process, shared by the Remix build, the inbox worker and core: the server bundle and the
// unbundled server code each have their own copy of this module, so the instance lives on globalThis under a
// registered symbol. server.ts (or a test) provides it before the first request; otherwise it is opened from
// DATABASE_URL on first use.

const DATABASE = Symbol.for("trailmark.shopify-app.database");
type Holder = typeof globalThis & { [DATABASE]?: Database };

export function provideDatabase(database: Database): void {
  (globalThis as Holder)[DATABASE] = database;
}

export function getDatabase(): Database {
  const holder = globalThis as Holder;
  holder[DATABASE] ??= openDatabase();
  return holder[DATABASE];
}
