// Child process for redirect-crash.test.ts: the real link cache, recorder, redirect route and serveFetch on
// DATABASE_URL. WRITE_DELAY_MS holds every click write back, like a slow disk, so that a recorder that
// answered before committing would be caught with clicks in flight when the process is killed.
import { createClickRecorder } from "../clicks/click-recorder.ts";
import type { ClickWriter } from "../clicks/click-writer.ts";
import { createLinkCache } from "../clicks/link-cache.ts";
import { openClickWriter } from "../clicks/open-click-writer.ts";
import { openDatabase } from "../db/client.ts";
import { tuneSqlite } from "../db/sqlite-pragmas.ts";
import { createRedirectResolver } from "../http/redirect.ts";
import { serveFetch } from "./node-http.ts";
import { redirectRoute } from "./tracking-routes.ts";

const delayMs = Number(process.env.WRITE_DELAY_MS ?? 0);
const database = openDatabase();
await tuneSqlite(database);

function withSlowWrites(writer: ClickWriter): ClickWriter {
  return {
    async write(rows) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await writer.write(rows);
    },
    close: () => writer.close(),
  };
}

const writer = openClickWriter(database);
const recorder = createClickRecorder({
  db: database.db,
  provider: database.provider,
  writer: delayMs > 0 ? withSlowWrites(writer) : writer,
});
await recorder.start();
// The route production mounts; every other path is a 404 from the fetch handler.
const resolve = createRedirectResolver({ links: createLinkCache({ db: database.db }), recorder });
const server = await serveFetch(async () => new Response(null, { status: 404 }), {
  port: 0,
  host: "127.0.0.1",
  nodeRoutes: [redirectRoute(resolve)],
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
