// Redirect throughput: the Trailmark click path against a bare node:http server sending the same 302.
//   npx tsx bench/tracking/redirect.ts [seconds=10] [--breakdown] [--flush-delay-ms=N]
// SQLite in a temp dir by default; DATABASE_URL=postgresql://… runs on a fresh PostgreSQL database.
// Each server runs in its own process; autocannon drives it from this one with 50 connections on loopback.
// Every run is preceded by a 2 s warm-up (JIT, link cache) whose rate sizes the measured run to ~N seconds;
// the measured run is a fixed request count so that no request is cut off at a deadline and the Click rows
// it adds can be compared exactly with the 302s received; a further run reads each 302's click id and looks
// it up. Each server reports the CPU time it used (all
// threads), so the cost per request is comparable even when other work on the machine disturbs req/s.
// --breakdown also measures serveFetch with a constant 302 and the real handler with a writer that does
// nothing, which splits the extra cost into adapter, handler and database write.
import { type ChildProcess, spawn } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { insertTestLink, prepareDestination } from "@trailmark/core/clicks";
import { newClickId } from "@trailmark/core/links";
import autocannon, { type Result } from "autocannon";
import { machineLine, scratchDatabase } from "../bench-database.ts";

const args = process.argv.slice(2);
const breakdown = args.includes("--breakdown");
const flushDelayMs = args.find((a) => a.startsWith("--flush-delay-ms="))?.split("=")[1] ?? "0";
const seconds = Number(args.find((a) => !a.startsWith("--")) ?? 10);
const CONNECTIONS = 50;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSX = join(ROOT, "node_modules/.bin/tsx");
const SERVER = join(ROOT, "bench/tracking/server.ts");
const USER_AGENT =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 307.0.0.34.111";

interface Target {
  url: string;
  /** CPU time the server process has used so far, all threads, in µs. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

// tsx runs the script in a second node process: signals go to the whole (detached) process group.
async function startTarget(args: string[], env: Record<string, string>): Promise<Target> {
  const proc: ChildProcess = spawn(TSX, [SERVER, ...args], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "inherit"],
    detached: true,
  });
  const lines = createInterface({ input: proc.stdout! });
  const nextLine = () => new Promise<string>((resolve) => lines.once("line", resolve));
  const url = await new Promise<string>((resolve, reject) => {
    proc.once("exit", (code) => reject(new Error(`bench server exited (${code})`)));
    nextLine().then((line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return {
    url,
    async cpuMicros() {
      const reply = nextLine();
      proc.stdin!.write("cpu\n");
      return (JSON.parse(await reply) as { cpuMicros: number }).cpuMicros;
    },
    async stop() {
      const exited = new Promise((resolve) => proc.once("exit", resolve));
      process.kill(-proc.pid!, "SIGTERM");
      await exited;
    },
  };
}

interface Measured {
  result: Result;
  cpuMicrosPerRequest: number;
}

// Every server is measured with the same load: no server gets a load generator that does more work per
// response than another's (reading click ids out of Location headers costs autocannon, which shares the
// two vCPUs, enough to lower the server's req/s), so durability is checked by counting rows here and by
// click id in a separate run (checkClickIds).
async function measure(target: Target, url: string, beforeRun?: () => Promise<void>): Promise<Measured> {
  const warm = await autocannon({ url, connections: CONNECTIONS, duration: 2, headers: { "user-agent": USER_AGENT } });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const amount = Math.max(CONNECTIONS * 10, Math.round(warm.requests.average * seconds));
  await beforeRun?.();
  const cpuBefore = await target.cpuMicros();
  const result = await autocannon({ url, connections: CONNECTIONS, amount, headers: { "user-agent": USER_AGENT } });
  const cpuMicrosPerRequest = ((await target.cpuMicros()) - cpuBefore) / result.requests.total;
  return { result, cpuMicrosPerRequest };
}

/** A further fixed-size run that reads the click id of every 302; returns the ids received. */
async function checkClickIds(url: string, amount: number): Promise<{ ids: string[]; redirects: number }> {
  const ids: string[] = [];
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    amount,
    headers: { "user-agent": USER_AGENT },
    setupClient(client) {
      client.on("headers", ({ headers }) => {
        for (let i = 0; i < headers.length; i += 2) {
          if (headers[i]!.toLowerCase() !== "location") continue;
          const at = headers[i + 1]!.indexOf("tm_click=");
          if (at !== -1) ids.push(headers[i + 1]!.slice(at + 9, at + 9 + 19));
        }
      });
    },
  });
  return { ids, redirects: result["3xx"] };
}

const { database, drop } = await scratchDatabase("redirect");
const link = await insertTestLink(database.db, {
  destinationUrl: "https://shop.example/products/mug?color=blue#reviews",
});
const sampleLocation = prepareDestination(link.destinationUrl, {
  campaignName: "Summer Sale 2026",
  creatorName: "Zoë Martin",
  campaignId: link.campaignId,
  creatorId: link.creatorId,
  lookbackDays: 30,
})!.tracked(newClickId());

const bare = await startTarget(["bare", sampleLocation], {});
const bareRun = await measure(bare, `${bare.url}/c/${link.code}`);
await bare.stop();

const partial: [string, Measured][] = [];
if (breakdown) {
  for (const mode of ["adapter", "no-writes"]) {
    const target = await startTarget([mode, sampleLocation], { DATABASE_URL: database.url });
    partial.push([
      mode === "adapter" ? "serveFetch, constant 302" : "handler, clicks not written",
      await measure(target, `${target.url}/c/${link.code}`),
    ]);
    await target.stop();
  }
}

const trailmark = await startTarget(["trailmark"], { DATABASE_URL: database.url, FLUSH_DELAY_MS: flushDelayMs });
await new Promise((resolve) => setTimeout(resolve, 200));
// Rows are counted around the measured run only: measure() waits after the warm-up, so a warm-up request
// cut off at its deadline has been answered (and its click committed) before the first count.
let rowsBefore = 0;
const trailmarkUrl = `${trailmark.url}/c/${link.code}`;
const trailmarkRun = await measure(trailmark, trailmarkUrl, async () => {
  rowsBefore = await database.db.click.count();
});
const rowsAdded = (await database.db.click.count()) - rowsBefore;
const check = await checkClickIds(trailmarkUrl, CONNECTIONS * 400);
await trailmark.stop();

const stored = new Set<string>();
for (let i = 0; i < check.ids.length; i += 10_000) {
  const rows = await database.db.click.findMany({
    where: { id: { in: check.ids.slice(i, i + 10_000) } },
    select: { id: true },
  });
  for (const r of rows) stored.add(r.id);
}
await drop();

const bareRps = bareRun.result.requests.average;
const tmRps = trailmarkRun.result.requests.average;
const redirects = trailmarkRun.result["3xx"];
const missing = check.ids.filter((id) => !stored.has(id)).length;
const row = (name: string, { result: r, cpuMicrosPerRequest }: Measured) =>
  `| ${name} | ${Math.round(r.requests.average).toLocaleString("en-US")} | ${r.latency.p50} | ${r.latency.p99} | ${cpuMicrosPerRequest.toFixed(1)} | ${r.requests.total.toLocaleString("en-US")} | ${r.errors + r.timeouts} |`;

console.log(
  `## Redirect GET /c/:code — ${database.provider === "postgresql" ? "PostgreSQL" : "SQLite (WAL, synchronous=NORMAL)"}\n`,
);
console.log(`Machine: ${machineLine()}; ${CONNECTIONS} connections, ~${seconds} s per run\n`);
console.log("| server | req/s | p50 ms | p99 ms | server CPU µs/req | requests | errors |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
console.log(row("bare node:http 302", bareRun));
for (const [name, run] of partial) console.log(row(name, run));
console.log(row("Trailmark redirect", trailmarkRun));
console.log(`\nThroughput ratio: ${((tmRps / bareRps) * 100).toFixed(1)}% of bare node:http`);
console.log(`Load average during the run (1 min): ${loadavg()[0]!.toFixed(2)}; click flush delay ${flushDelayMs} ms`);
console.log(
  `Durability: the measured run got ${redirects.toLocaleString("en-US")} 302s and added ` +
    `${rowsAdded.toLocaleString("en-US")} Click rows; a further run got ${check.redirects.toLocaleString("en-US")} ` +
    `302s carrying ${check.ids.length.toLocaleString("en-US")} click ids, ${stored.size.toLocaleString("en-US")} ` +
    `of them stored, ${missing} missing`,
);
if (rowsAdded !== redirects || missing > 0 || stored.size !== check.redirects) {
  console.error("FAIL: a 302 was sent for a click that is not in the database");
  process.exitCode = 1;
}
