// Child process for redirect-crash.test.ts: the real link cache, recorder, handler and serveFetch on
// DATABASE_URL. WRITE_DELAY_MS holds every click write back, like a slow disk, so that a recorder that
// answered before committing would be caught with clicks in flight when the process is killed.
import { createClickRecorder } from "../clicks/click-recorder.ts";
import { createLinkCache } from "../clicks/link-cache.ts";
import { type Db, openDatabase } from "../db/client.ts";
import { tuneSqlite } from "../db/sqlite-pragmas.ts";
import { createRedirectHandler } from "../http/redirect.ts";
import { serveFetch } from "./node-http.ts";

const delayMs = Number(process.env.WRITE_DELAY_MS ?? 0);
const database = openDatabase();
await tuneSqlite(database);

function withSlowWrites(db: Db): Db {
  const createMany: Db["click"]["createMany"] = (async (args: Parameters<Db["click"]["createMany"]>[0]) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return db.click.createMany(args);
  }) as Db["click"]["createMany"];
  const click = new Proxy(db.click, { get: (target, key) => (key === "createMany" ? createMany : Reflect.get(target, key)) });
  return new Proxy(db, { get: (target, key) => (key === "click" ? click : Reflect.get(target, key)) });
}

const db = delayMs > 0 ? withSlowWrites(database.db) : database.db;
const recorder = createClickRecorder({ db, provider: database.provider });
await recorder.start();
const handler = createRedirectHandler({ links: createLinkCache({ db }), recorder });
const server = await serveFetch(handler, { port: 0, host: "127.0.0.1" });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
