import { type Database, openDatabase } from "./client.ts";
import { migrate } from "./migrate.ts";
import { tuneSqlite } from "./sqlite-pragmas.ts";

// Every process and thread that opens the product's database opens it here, so none skips the SQLite tuning
// (WAL, synchronous, busy timeout: core/src/db/sqlite-pragmas.ts). Apart from runtime.ts so that the inbox
// thread opens its database without loading the sweeps' modules.

/** Opens DATABASE_URL, tunes SQLite and (unless told not to) applies pending migrations. */
export async function openRuntimeDatabase(
  url: string,
  options: { migrate?: boolean; log?: (line: string) => void } = {},
): Promise<Database> {
  const database = openDatabase(url);
  await tuneSqlite(database);
  if (options.migrate !== false) {
    const applied = await migrate(database);
    if (applied.length > 0) (options.log ?? console.log)(`applied migrations: ${applied.join(", ")}`);
  }
  return database;
}
