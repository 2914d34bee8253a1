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
