import type { Database } from "./client.ts";

// WAL lets readers run beside the writer; synchronous=NORMAL in WAL mode survives a killed process (only
// an OS crash can lose the last commits), which is the durability the click path promises.
export async function tuneSqlite(database: Database): Promise<void> {
  if (database.provider !== "sqlite") return;
  await database.db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await database.db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
  await database.db.$queryRawUnsafe("PRAGMA busy_timeout = 5000");
}
