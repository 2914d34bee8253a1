import { type Database, sqlitePath } from "../db/client.ts";
import type { EventSink } from "./event-rows.ts";
import { postgresEventSink } from "./postgres-event-sink.ts";
import { sqliteEventSink } from "./sqlite-event-sink.ts";

/** The fastest sink for a database opened with openDatabase: a driver connection of its own. */
export function openEventSink(database: Pick<Database, "provider" | "url">, maxConnections?: number): EventSink {
  return database.provider === "sqlite"
    ? sqliteEventSink(sqlitePath(database.url))
    : postgresEventSink(database.url, maxConnections);
}
