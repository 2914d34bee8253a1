// One benchmark target in its own process (so it gets a core of its own, apart from the load generator):
//   tsx bench/tracking/server.ts bare <location>   a bare node:http server answering the same 302
//   tsx bench/tracking/server.ts trailmark         the real redirect server on DATABASE_URL
// and, for --breakdown, two partial ones that locate the cost:
//   tsx bench/tracking/server.ts adapter <location>  serveFetch with a handler returning the same 302
//   tsx bench/tracking/server.ts no-writes           the real handler and recorder, clicks not written
// Prints {"url": …} once it listens; answers each "cpu" line on stdin with {"cpuMicros": …}, the CPU time
// of the whole process (every thread) so far, which the benchmark turns into CPU time per request.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { createClickRecorder, createLinkCache } from "@trailmark/core/clicks";
import { openDatabase } from "@trailmark/core/db";
import { createRedirectHandler, createRedirectResolver } from "@trailmark/core/http";
import { redirectRoute, serveFetch, startRedirectServer } from "@trailmark/core/server";

const mode = process.argv[2];

async function bare(location: string): Promise<string> {
  const server = http.createServer((_req, res) => {
    res.writeHead(302, { location, "cache-control": "no-store", "referrer-policy": "strict-origin-when-cross-origin" });
    res.end();
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function adapter(location: string): Promise<string> {
  const headers = { location, "cache-control": "no-store", "referrer-policy": "strict-origin-when-cross-origin" };
  return (await serveFetch(async () => new Response(null, { status: 302, headers }), { port: 0, host: "127.0.0.1" }))
    .url;
}

async function noWrites(): Promise<string> {
  const { db, provider } = openDatabase();
  const writer = { write: async () => {}, close: async () => {} };
  const recorder = createClickRecorder({ db, provider, writer });
  const links = createLinkCache({ db });
  const resolve = createRedirectResolver({ links, recorder });
  const handler = createRedirectHandler(resolve);
  const nodeRoutes = [redirectRoute(resolve)];
  return (await serveFetch(handler, { port: 0, host: "127.0.0.1", nodeRoutes })).url;
}

const location = process.argv[3] ?? "https://shop.example/";
const url =
  mode === "bare"
    ? await bare(location)
    : mode === "adapter"
      ? await adapter(location)
      : mode === "no-writes"
        ? await noWrites()
        : (
            await startRedirectServer({
              port: 0,
              host: "127.0.0.1",
              flushDelayMs: Number(process.env.FLUSH_DELAY_MS ?? 0),
              maxBatch: process.env.MAX_BATCH ? Number(process.env.MAX_BATCH) : undefined,
            })
          ).url;
process.stdout.write(`${JSON.stringify({ url })}\n`);

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line !== "cpu") return;
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuMicros: user + system })}\n`);
});
