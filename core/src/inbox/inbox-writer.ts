import pg from "pg";
import { type Database, type Db, sqlitePath } from "../db/client.ts";
import { upsertRows } from "../db/insert-rows.ts";
import { chunkedStatement, openSqliteWriter, whenNotBusy } from "../db/sqlite-batch.ts";

/** One webhook delivery as the receipt stores it. */
export interface InboxRow {
  id: string;
  storeId: string | null;
  /** Shopify only: the shop's domain, so privacy requests find deliveries held before the store existed. */
  shopDomain: string | null;
  source: string;
  topic: string;
  dedupKey: string;
  /** JSON of the kept headers. */
  headers: string;
  body: Uint8Array;
  receivedAt: Date;
}

/**
 * Inserts a group of deliveries in one transaction, skipping those whose (source, dedupKey) is already
 * stored; resolves with the ids of the rows it inserted once they are committed.
 */
export interface InboxWriter {
  write(rows: readonly InboxRow[]): Promise<Set<string>>;
  close(): Promise<void>;
}

const COLUMNS = `"id","storeId","source","topic","dedupKey","headers","body","nextAttemptAt","receivedAt","shopDomain"`;
const ON_CONFLICT = `ON CONFLICT ("source","dedupKey") DO NOTHING RETURNING "id"`;

/** The fastest writer for a database opened with openDatabase, on a connection of its own (like clicks). */
export function openInboxWriter(database: Pick<Database, "provider" | "url">): InboxWriter {
  return database.provider === "sqlite"
    ? sqliteInboxWriter(sqlitePath(database.url))
    : postgresInboxWriter(database.url);
}

// On the event loop through better-sqlite3, like the click writer (see sqlite-click-writer.ts): a group of
// deliveries is a few multi-row statements in one transaction, committed before the call returns.
export function sqliteInboxWriter(path: string): InboxWriter {
  const connection = openSqliteWriter(path);
  const insert = chunkedStatement<InboxRow>(
    connection,
    (tuples) => `INSERT INTO "WebhookInbox" (${COLUMNS}) VALUES ${tuples} ${ON_CONFLICT}`,
    10,
    (r, values, v) => {
      values[v] = r.id;
      values[v + 1] = r.storeId;
      values[v + 2] = r.source;
      values[v + 3] = r.topic;
      values[v + 4] = r.dedupKey;
      values[v + 5] = r.headers;
      values[v + 6] = Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength);
      // Prisma's SQLite adapter uses timestampFormat "unixepoch-ms": DateTime columns hold epoch ms.
      values[v + 7] = r.receivedAt.getTime();
      values[v + 8] = r.receivedAt.getTime();
      values[v + 9] = r.shopDomain;
    },
  );
  const insertAll = connection.transaction((rows: readonly InboxRow[]) => insert.all<{ id: string }>(rows));
  return {
    async write(rows) {
      const inserted = await whenNotBusy(() => insertAll(rows));
      return new Set(inserted.map((r) => r.id));
    },
    async close() {
      connection.close();
    },
  };
}

// A small pg pool of its own; a group is one INSERT … SELECT FROM unnest(column arrays), prepared once per
// connection, durable when the query returns (synchronous_commit).
export function postgresInboxWriter(url: string, maxConnections = 4): InboxWriter {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  pool.on("error", () => {});
  const text =
    `INSERT INTO "WebhookInbox" (${COLUMNS}) SELECT i, s, so, t, k, h, b, r, r, d FROM unnest($1::text[],` +
    `$2::text[],$3::text[],$4::text[],$5::text[],$6::text[],$7::bytea[],$8::timestamp(3)[],$9::text[]) ` +
    `AS u(i,s,so,t,k,h,b,r,d) ` +
    ON_CONFLICT;
  return {
    async write(rows) {
      const columns: unknown[][] = [[], [], [], [], [], [], [], [], []];
      for (const r of rows) {
        columns[0]!.push(r.id);
        columns[1]!.push(r.storeId);
        columns[2]!.push(r.source);
        columns[3]!.push(r.topic);
        columns[4]!.push(r.dedupKey);
        columns[5]!.push(r.headers);
        columns[6]!.push(Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength));
        // An ISO string cast to timestamp keeps the UTC wall time, as Prisma stores it.
        columns[7]!.push(r.receivedAt.toISOString());
        columns[8]!.push(r.shopDomain);
      }
      const result = await pool.query<{ id: string }>({ name: "trailmark_inbox_insert", text, values: columns });
      return new Set(result.rows.map((r) => r.id));
    },
    close: () => pool.end(),
  };
}

/** The portable fallback (the Remix dev server, tests without a driver connection): through the Prisma client. */
export function prismaInboxWriter(db: Db): InboxWriter {
  return {
    async write(rows) {
      const inserted = await upsertRows<{ id: string }>(
        db,
        "WebhookInbox",
        rows.map((r) => ({
          id: r.id,
          storeId: r.storeId,
          shopDomain: r.shopDomain,
          source: r.source,
          topic: r.topic,
          dedupKey: r.dedupKey,
          headers: r.headers,
          body: Buffer.from(r.body),
          nextAttemptAt: r.receivedAt,
          receivedAt: r.receivedAt,
        })),
        { conflict: ["source", "dedupKey"], returning: ["id"] },
      );
      return new Set(inserted.map((r) => r.id));
    },
    async close() {},
  };
}
