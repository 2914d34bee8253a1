import { type Db, providerOfDb } from "./client.ts";
import { Prisma } from "./generated/sqlite/index.js";

export const DAY_MS = 86_400_000;

/** The UTC day number (days since 1970-01-01) of a timestamp column; SQLite stores instants as Unix milliseconds. */
export function dayNumber(db: Db, column: string): Prisma.Sql {
  return providerOfDb(db) === "postgresql"
    ? Prisma.raw(`CAST(floor(extract(epoch from ${column}) / 86400) AS INTEGER)`)
    : Prisma.raw(`CAST(${column} / ${DAY_MS} AS INTEGER)`);
}
