import { type Db, joinSql, providerOfDb, sql } from "./client.ts";
import { Prisma } from "./generated/sqlite/index.js";

export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/**
 * Row locks held until the transaction ends, taken in id order. PostgreSQL needs them (READ COMMITTED);
 * a SQLite transaction already holds the whole database, so there it is a no-op.
 */
export async function lockRows(
  tx: Tx,
  db: Db,
  table: "Campaign" | "Conversion",
  storeId: string,
  ids: readonly string[],
) {
  if (ids.length === 0 || providerOfDb(db) !== "postgresql") return;
  const sorted = [...ids].sort();
  await tx.$queryRaw(
    sql`SELECT id FROM ${Prisma.raw(`"${table}"`)} WHERE "storeId" = ${storeId} AND id IN (${joinSql(sorted)}) ORDER BY id FOR UPDATE`,
  );
}
