import Sqlite from "better-sqlite3";

// Shared by the hot-path writers (clicks, events) that write through a better-sqlite3 connection of their
// own rather than Prisma: Prisma 6.19 compiles every query with its values inlined and has no plan cache,
// which costs more than the insert itself there.

/**
 * A connection for a hot-path writer. WAL lets readers run beside it; synchronous=NORMAL in WAL mode
 * survives a killed process (only an OS crash can lose the last commits). busy_timeout 0: waiting for a
 * lock must never block the event loop; whenNotBusy retries on a timer instead, so that a Prisma
 * transaction in this process that holds the write lock can finish meanwhile.
 */
export function openSqliteWriter(path: string): Sqlite.Database {
  const connection = new Sqlite(path);
  connection.pragma("journal_mode = WAL");
  connection.pragma("synchronous = NORMAL");
  connection.pragma("busy_timeout = 0");
  return connection;
}

const BUSY_RETRY_MS = 2;
const BUSY_GIVE_UP_MS = 5_000;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED";
}

/** Runs a synchronous write, retrying on a timer while the database is locked by another connection. */
export async function whenNotBusy<T>(write: () => T): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return write();
    } catch (error) {
      if (!isBusy(error) || Date.now() - started > BUSY_GIVE_UP_MS) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
  }
}

const CHUNKS = [64, 16, 4, 1];

/**
 * A multi-row statement prepared for a few fixed row counts (64, 16, 4, 1), so a group of any size is one
 * native call per chunk and only four statements are ever prepared. `sql` receives the VALUES tuples;
 * `fill` writes one row's parameters into the flat array at `at`.
 */
export function chunkedStatement<R>(
  connection: Sqlite.Database,
  sql: (tuples: string) => string,
  width: number,
  fill: (row: R, values: unknown[], at: number) => void,
) {
  const tuple = `(${Array(width).fill("?").join(",")})`;
  const statements = new Map(CHUNKS.map((n) => [n, connection.prepare(sql(Array(n).fill(tuple).join(",")))]));
  function* chunks(rows: readonly R[]): Generator<[Sqlite.Statement, unknown[]]> {
    let at = 0;
    for (const n of CHUNKS) {
      while (rows.length - at >= n) {
        const values: unknown[] = new Array(n * width);
        for (let i = 0; i < n; i++) fill(rows[at + i]!, values, i * width);
        yield [statements.get(n)!, values];
        at += n;
      }
    }
  }
  return {
    run(rows: readonly R[]): void {
      for (const [statement, values] of chunks(rows)) statement.run(values);
    },
    all<T>(rows: readonly R[]): T[] {
      const out: T[] = [];
      for (const [statement, values] of chunks(rows)) for (const row of statement.all(values)) out.push(row as T);
      return out;
    },
  };
}
