// The collector in its own process for bench/tracking/collect.ts: prints {"url","storeId"} once it listens,
// and {"idle":true} after each "idle" line on stdin once queued follow-up work is done.
// With the argument "bare": the baseline, a bare node:http server that reads the same POST body and answers
// 202 with a JSON body of the same shape, touching no database.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { openDatabase, tuneSqlite } from "@trailmark/core/db";
import { createTrackingApp } from "@trailmark/core/http";
import { serveFetch, trackingNodeRoutes } from "@trailmark/core/server";
import { createStore } from "@trailmark/core/stores";

if (process.argv[2] === "bare") {
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on("end", () => {
      const body = JSON.stringify({ received: 1, stored: bytes > 0 ? 1 : 0 });
      res.writeHead(202, { "content-type": "application/json", "access-control-allow-origin": "*" });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, storeId: "bare" })}\n`,
  );
  createInterface({ input: process.stdin }).on("line", () =>
    process.stdout.write(`${JSON.stringify({ idle: true })}\n`),
  );
  process.once("SIGTERM", () => process.exit(0));
} else {
  await serveCollector();
}

async function serveCollector() {
  const database = openDatabase(process.env.DATABASE_URL);
  await tuneSqlite(database);
  const { store } = await createStore(database.db, { platform: "custom", domain: "bench-shop.example.com" });
  // The rate limit protects stores from one address; the benchmark is one address by design.
  const app = createTrackingApp({ database, collectRateLimit: 1_000_000_000 });
  await app.start();
  const server = await serveFetch(app.handler, { port: 0, host: "127.0.0.1", nodeRoutes: trackingNodeRoutes(app) });
  process.stdout.write(`${JSON.stringify({ url: server.url, storeId: store.id })}\n`);
  createInterface({ input: process.stdin }).on("line", async (line) => {
    if (line !== "idle") return;
    await app.idle();
    process.stdout.write(`${JSON.stringify({ idle: true })}\n`);
  });
  process.once("SIGINT", () => process.exit(0));
  process.once("SIGTERM", () => process.exit(0));
}
