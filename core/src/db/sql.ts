import { DAY_MS } from "./day-number.ts";
import { Prisma } from "./generated/sqlite/index.js";

// The few aggregate queries the admin runs in SQL rather than in memory (a store may have a million clicks),
// written once for both databases: quoted identifiers, CAST for sums (PostgreSQL sums a bigint into numeric)
// and a day number computed per provider (SQLite stores instants as Unix milliseconds).

export type Sql = Prisma.Sql;
export const raw = Prisma.raw;
/** A comma-separated list of bound values, for IN (…). */
export const join = Prisma.join;
export const empty = Prisma.empty;

export { dayNumber } from "./day-number.ts";

export function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function dayOf(date: Date): number {
  return Math.floor(date.getTime() / DAY_MS);
}

/** Numbers come back as bigint (counts, casts) or number; money sums stay far below 2^53. */
export function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number") return value;
  return Number(value);
}

/** `AND <clause>` when the condition holds, nothing otherwise. */
export function andIf(condition: unknown, clause: Sql): Sql {
  return condition ? Prisma.sql` AND ${clause}` : empty;
}

/** Prisma refuses more bound parameters than the database takes: long id lists are queried in chunks. */
export const ID_CHUNK = 500;

export async function inChunks<T, R>(items: readonly T[], run: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += ID_CHUNK) out.push(...(await run(items.slice(i, i + ID_CHUNK))));
  return out;
}
