// /collect throughput: autocannon with 50 connections on loopback posts page views (one event per request,
// as the pixel and /t.js send them, each with its own id) to the real collector; afterwards the Event rows
// are counted: every 202 must be a stored row. Run: npx tsx bench/tracking/collect.ts [seconds]
import { execSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { openDatabase, providerOf } from "../../core/src/db/client.ts";
import { migrate } from "../../core/src/db/migrate.ts";
import { tuneSqlite } from "../../core/src/db/sqlite-pragmas.ts";
import { createTrackingApp } from "../../core/src/http/tracking-app.ts";
import { serveFetch } from "../../core/src/server/node-http.ts";
import { createStore } from "../../core/src/stores/store.ts";

const seconds = Number(process.argv[2] ?? 10);
const CONNECTIONS = 50;

async function benchDatabaseUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  const configured = process.env.DATABASE_URL;
  if (configured && providerOf(configured) === "postgresql") {
    const name = `tm_bench_collect_${process.pid}`;
    const admin = new pg.Client({ connectionString: configured });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(configured);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      drop: async () => {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "tm-bench-collect-"));
  return { url: `file:${join(dir, "bench.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

const target = await benchDatabaseUrl();
const database = openDatabase(target.url);
await tuneSqlite(database);
await migrate(database);
const { store } = await createStore(database.db, { platform: "custom", domain: "bench-shop.example.com" });
// The rate limit protects a store from one address; the benchmark is one address by design.
const app = createTrackingApp({ database, collectRateLimit: 1_000_000_000 });
await app.start();
const server = await serveFetch(app.handler, { port: 0, host: "127.0.0.1" });

let seq = 0;
const body = () =>
  JSON.stringify({
    store: store.id,
    id: `pv-${++seq}`,
    type: "page_view",
    visitor_id: `v-${seq % 5000}`,
    url: `https://bench-shop.example.com/products/${seq % 100}?utm_source=x`,
    click_ids: [],
  });

const result = await autocannon({
  url: `${server.url}/collect`,
  connections: CONNECTIONS,
  duration: seconds,
  requests: [
    {
      method: "POST",
      headers: { "content-type": "text/plain", origin: "https://bench-shop.example.com" },
      setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body() }),
    },
  ],
});
await app.idle();
const stored = await database.db.event.count({ where: { storeId: store.id } });
const accepted = result.statusCodeStats?.["202"]?.count ?? result["2xx"];
const cpu = (() => {
  try {
    return execSync("lscpu | sed -n 's/^Model name:\\s*//p'", { encoding: "utf8" }).trim();
  } catch {
    return cpus()[0]!.model;
  }
})();
console.log(`## /collect (${database.provider}, ${CONNECTIONS} connections, ${seconds} s, one event per request)\n`);
console.log(`machine: ${cpus().length} cores, ${cpu}, node ${process.version}\n`);
console.log("| events/s stored | requests/s | p50 ms | p99 ms | 202s | rows stored | errors/non-2xx |");
console.log("|---:|---:|---:|---:|---:|---:|---:|");
console.log(
  `| ${Math.round(stored / seconds)} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${accepted} | ${stored} | ${result.errors + result.non2xx} |`,
);
if (stored !== accepted) console.log(`\nMISMATCH: ${accepted} accepted but ${stored} stored`);
await server.close();
await app.stop();
await database.close();
await target.drop();
