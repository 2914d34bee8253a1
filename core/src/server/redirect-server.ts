import { type ClickRecorder, createClickRecorder } from "../clicks/click-recorder.ts";
import { createLinkCache } from "../clicks/link-cache.ts";
import { openClickWriter } from "../clicks/open-click-writer.ts";
import { type Database, openDatabase } from "../db/client.ts";
import { tuneSqlite } from "../db/sqlite-pragmas.ts";
import { createRedirectHandler, createRedirectResolver } from "../http/redirect.ts";
import { serveFetch } from "./node-http.ts";
import { redirectRoute } from "./tracking-routes.ts";

export interface RedirectServerOptions {
  /** DATABASE_URL by default. */
  databaseUrl?: string;
  port: number;
  host?: string;
  trustProxy?: boolean;
  linkTtlMs?: number;
  maxBatch?: number;
  flushDelayMs?: number;
}

export interface RedirectServer {
  url: string;
  database: Database;
  recorder: ClickRecorder;
  /** Stops accepting connections, writes the clicks still queued, closes the database. */
  close(): Promise<void>;
}

/** The tracking-link redirect on its own server: open the database, warm the dedup window, listen. */
export async function startRedirectServer(options: RedirectServerOptions): Promise<RedirectServer> {
  const database = openDatabase(options.databaseUrl);
  await tuneSqlite(database);
  const writer = openClickWriter(database);
  const recorder = createClickRecorder({
    db: database.db,
    provider: database.provider,
    writer,
    maxBatch: options.maxBatch,
  });
  await recorder.start();
  const links = createLinkCache({ db: database.db, ttlMs: options.linkTtlMs });
  const resolve = createRedirectResolver({ links, recorder });
  // /c/ is answered on node:http; any other path gets the same 404 page through the fetch handler.
  const http = await serveFetch(createRedirectHandler(resolve), {
    port: options.port,
    host: options.host,
    trustProxy: options.trustProxy,
    nodeRoutes: [redirectRoute(resolve)],
  });
  return {
    url: http.url,
    database,
    recorder,
    async close() {
      await http.close();
      await recorder.stop();
      await writer.close();
      await database.close();
    },
  };
}
