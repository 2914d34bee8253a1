// /collect throughput: the collector runs in its own process on a fresh database; autocannon drives it from
// this one with 50 connections on loopback, posting page views with unique ids, first one event per request
// (as the Shopify pixel sends them), then batches of 10 (as /t.js sends a page's events). Afterwards the
// Event rows are counted: every event in a 202 must be stored. Each size is first sent, the same way, to the
// baseline: a bare node:http server in its own process that reads the body and answers 202 (collect-server.ts
// bare), so the figures can be read against what this machine does with no work at all at that moment.
// Run: npx tsx bench/tracking/collect.ts [seconds]
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { machineLine, scratchDatabase } from "../bench-database.ts";

const seconds = Number(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? 10);
// --per-request=1,10 (the default) chooses the batch sizes measured.
const sizes = (process.argv.find((a) => a.startsWith("--per-request="))?.split("=")[1] ?? "1,10")
  .split(",")
  .map(Number);
const CONNECTIONS = 50;

function startServer(
  url: string,
  bare = false,
): Promise<{ proc: ChildProcess; url: string; storeId: string; idle(): Promise<void> }> {
  // BENCH_NODE_ARGS passes node flags to the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const script = ["bench/tracking/collect-server.ts", ...(bare ? ["bare"] : [])];
  const proc = spawn(process.execPath, [...nodeArgs, "--import", "tsx", ...script], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: proc.stdout! });
  const waiters: ((line: string) => void)[] = [];
  lines.on("line", (line) => waiters.shift()?.(line));
  const next = () => new Promise<string>((resolve) => waiters.push(resolve));
  return next().then((first) => {
    const { url: serverUrl, storeId } = JSON.parse(first) as { url: string; storeId: string };
    return {
      proc,
      url: serverUrl,
      storeId,
      async idle() {
        const reply = next();
        proc.stdin!.write("idle\n");
        await reply;
      },
    };
  });
}

const { database, drop } = await scratchDatabase("collect");
const server = await startServer(database.url);
const bare = await startServer(database.url, true);

let seq = 0;
function event() {
  seq++;
  return {
    // As the pixel sends them: Shopify's random event id, alone (the dedup key is the event id).
    id: `sh-${randomUUID()}`,
    type: "page_view",
    visitor_id: `v-${seq % 5000}`,
    url: `https://bench-shop.example.com/products/${seq % 100}?utm_source=x`,
  };
}

/** A process's user + system CPU time in µs, from /proc (USER_HZ 100). */
function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const rows: string[] = [];
for (const perRequest of sizes) {
  const post = (target: { url: string; storeId: string }, amount?: number) =>
    autocannon({
      url: `${target.url}/collect`,
      connections: CONNECTIONS,
      ...(amount ? { amount } : { duration: seconds }),
      requests: [
        {
          method: "POST",
          headers: { "content-type": "text/plain", origin: "https://bench-shop.example.com" },
          setupRequest: (req: Record<string, unknown>) => ({
            ...req,
            body: JSON.stringify({ store: target.storeId, events: Array.from({ length: perRequest }, event) }),
          }),
        },
      ],
    });
  const bareCpu = processCpuUs(bare.proc.pid!);
  const baseline = await post(bare);
  const bareUs = (processCpuUs(bare.proc.pid!) - bareCpu) / (baseline.requests.total * perRequest);
  rows.push(
    `| bare node:http | ${perRequest} | ${Math.round(baseline.requests.average * perRequest)} (answered) | ${Math.round(baseline.requests.average)} | ${baseline.latency.p50} | ${baseline.latency.p99} | – | – | ${baseline.errors + baseline.non2xx} | – | ${Math.round(bareUs)} |`,
  );
  // A warm-up first: the first requests compile the collector's code (and Prisma's query compiler, for the
  // store lookup), which the CPU per event below would otherwise count.
  await post(server, 500);
  await server.idle();
  const before = await database.db.event.count();
  const serverCpu = processCpuUs(server.proc.pid!);
  const probe = await post(server);
  await server.idle();
  const stored = (await database.db.event.count()) - before;
  // The collector's CPU time (every thread of its process) per event stored, which a loaded machine
  // distorts far less than the rate.
  const serverUs = (processCpuUs(server.proc.pid!) - serverCpu) / stored;
  const accepted = probe.statusCodeStats?.["202"]?.count ?? 0;
  // autocannon stops counting at the deadline while the last requests are still in flight, so every
  // accepted event must be stored and at most one request per connection more may be.
  const ok = stored >= accepted * perRequest && stored <= (accepted + CONNECTIONS) * perRequest;
  rows.push(
    `| Trailmark | ${perRequest} | ${Math.round(stored / seconds)} | ${Math.round(probe.requests.average)} | ${probe.latency.p50} | ${probe.latency.p99} | ${accepted * perRequest} | ${stored} | ${probe.errors + probe.non2xx} | ${ok ? "yes" : "NO"} | ${Math.round(serverUs)} |`,
  );
}

console.log(`## /collect (${database.provider}, ${CONNECTIONS} connections, ${seconds} s per row)\n`);
console.log(
  `machine: ${machineLine()}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}\n`,
);
console.log(
  "| server | events per request | events/s stored | requests/s | p50 ms | p99 ms | events accepted (202) | events stored | errors | every accepted event stored | server µs CPU per event |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|");
for (const r of rows) console.log(r);
server.proc.kill("SIGTERM");
bare.proc.kill("SIGTERM");
await drop();
