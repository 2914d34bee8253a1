import { type Database, sqlitePath } from "../db/client.ts";
import type { ClickWriter } from "./click-writer.ts";
import { postgresClickWriter } from "./postgres-click-writer.ts";
import { sqliteClickWriter } from "./sqlite-click-writer.ts";

/** The fastest writer for a database opened with openDatabase. */
export function openClickWriter(database: Pick<Database, "provider" | "url">, maxConnections?: number): ClickWriter {
  return database.provider === "sqlite"
    ? sqliteClickWriter(sqlitePath(database.url))
    : postgresClickWriter(database.url, maxConnections);
}
