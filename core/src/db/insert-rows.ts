import { Prisma } from "./generated/sqlite/index.js";

// Prisma compiles every query with its values inlined and no plan cache, so a createMany of a few hundred
// rows spends most of its time in the query compiler. Bulk inserts on the ingestion paths go through one
// raw multi-row INSERT instead; values are still bound parameters, typed by the driver adapter.
type RawClient = { $executeRaw: (query: Prisma.Sql) => Promise<number> };

const CHUNK_PARAMETERS = 30_000;

export async function insertRows(
  client: RawClient,
  table: string,
  rows: readonly Record<string, unknown>[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = Object.keys(rows[0]!);
  const head = Prisma.raw(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES `);
  const perChunk = Math.max(1, Math.floor(CHUNK_PARAMETERS / columns.length));
  let inserted = 0;
  for (let i = 0; i < rows.length; i += perChunk) {
    const values = rows
      .slice(i, i + perChunk)
      .map((row) => Prisma.sql`(${Prisma.join(columns.map((c) => row[c] ?? null))})`);
    inserted += await client.$executeRaw(Prisma.sql`${head}${Prisma.join(values)}`);
  }
  return inserted;
}

type QueryClient = { $queryRaw: <T>(query: Prisma.Sql) => Promise<T> };

/**
 * INSERT … ON CONFLICT (conflict) DO NOTHING (or DO UPDATE SET the `update` columns to the new values),
 * RETURNING the listed columns of the rows inserted or updated. One statement on SQLite and PostgreSQL;
 * rows must not repeat a conflict key (PostgreSQL refuses to update one row twice in a statement).
 */
export async function upsertRows<T extends Record<string, unknown>>(
  client: QueryClient,
  table: string,
  rows: readonly object[],
  options: { conflict: readonly string[]; update?: readonly string[]; returning: readonly string[] },
): Promise<T[]> {
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0]!);
  const quote = (c: string) => `"${c}"`;
  const head = Prisma.raw(`INSERT INTO "${table}" (${columns.map(quote).join(", ")}) VALUES `);
  const action = options.update?.length
    ? `DO UPDATE SET ${options.update.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(", ")}`
    : "DO NOTHING";
  const tail = Prisma.raw(
    ` ON CONFLICT (${options.conflict.map(quote).join(", ")}) ${action} RETURNING ${options.returning.map(quote).join(", ")}`,
  );
  const perChunk = Math.max(1, Math.floor(CHUNK_PARAMETERS / columns.length));
  const out: T[] = [];
  for (let i = 0; i < rows.length; i += perChunk) {
    const values = rows
      .slice(i, i + perChunk)
      .map((row) => Prisma.sql`(${Prisma.join(columns.map((c) => (row as Record<string, unknown>)[c] ?? null))})`);
    out.push(...(await client.$queryRaw<T[]>(Prisma.sql`${head}${Prisma.join(values)}${tail}`)));
  }
  return out;
}
