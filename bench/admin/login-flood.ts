// The standalone admin's sign-in page for an honest visitor while a flood of wrong passwords comes in from many
// addresses (each new, so the per-address limit does not stop them: only the gate on sign-ins in flight and the
// bounded hashing do), against
// the same page with no flood, in the same run on the same `npm start` process. The flood is sent from a child
// process (login-flood-client.ts), the visitor timed from this one.
//
//   npx tsx bench/admin/login-flood.ts [flooders=40] [seconds=15]
//
// BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" passes node options to the served process alone (and
// "--import ./bench/event-loop-probe.mjs" records its event-loop delay);
// BENCH_FLOOD_NICE=19 runs the flood client at that priority.
//
// Prints the latency of GET /admin/login (median, p95, max) in both phases, what the flood was answered, and
// the process's peak RSS.
import { fork } from "node:child_process";
import { setPriority } from "node:os";
import { fileURLToPath } from "node:url";
import { createOwner } from "@trailmark/core/admin";
import { createStore } from "@trailmark/core/stores";
import { startProduct } from "../../scripts/testing/product-process.ts";
import { machineLine, scratchDatabase } from "../bench-database.ts";

const FLOOD_CLIENT = fileURLToPath(new URL("./login-flood-client.ts", import.meta.url));
const FLOODERS = Number(process.argv[2] ?? 40);
const SECONDS = Number(process.argv[3] ?? 15);

const { database, drop } = await scratchDatabase("login_flood");
const { store } = await createStore(database.db, { platform: "custom", domain: "flood.example.com" });
await createOwner(database.db, store.id, "owner@flood.example.com", "the owner's long passphrase");
const product = await startProduct(
  database.url,
  { TRUST_PROXY: "true" },
  undefined,
  (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean),
);
const url = product.url;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Sequential GET /admin/login for `ms`, as one visitor would load it. */
async function measurePage(ms: number): Promise<{ n: number; median: number; p95: number; max: number }> {
  const times: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const started = performance.now();
    const response = await fetch(`${url}/admin/login`, { headers: { "x-forwarded-for": "192.0.2.1" } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`GET /admin/login answered ${response.status}`);
    times.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  times.sort((a, b) => a - b);
  return { n: times.length, median: percentile(times, 50), p95: percentile(times, 95), max: times.at(-1)! };
}

let peakRss = 0;
const rssTimer = setInterval(async () => {
  try {
    const { readFile } = await import("node:fs/promises");
    const status = await readFile(`/proc/${product.pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    peakRss = Math.max(peakRss, kb * 1024);
  } catch {}
}, 100);

// Warm up (first render compiles the route), then the quiet baseline.
await measurePage(2_000);
const quiet = await measurePage(SECONDS * 1000);

const page = await fetch(`${url}/admin/login`);
const cookie = page.headers.get("set-cookie")!.split(";")[0]!;
const token = /name="_csrf"[^>]*value="([\w-]+)"|value="([\w-]+)"[^>]*name="_csrf"/.exec(await page.text())!;
const csrf = token[1] ?? token[2]!;
// The flood runs in a process of its own: in this one, its 40 clients' work would share the event loop the
// visitor's page is timed on, and the figure would include the flooders' own queueing.
const floodProcess = fork(FLOOD_CLIENT, [url, cookie, csrf, String(FLOODERS)], { execArgv: ["--import", "tsx"] });
// BENCH_FLOOD_NICE=19 lowers the flood client's priority: on one machine its CPU is taken from the server's
// cores, which a flood from elsewhere would not do.
if (process.env.BENCH_FLOOD_NICE) setPriority(floodProcess.pid!, Number(process.env.BENCH_FLOOD_NICE));
const message = (): Promise<unknown> => new Promise((resolve) => floodProcess.once("message", resolve));
await message();
floodProcess.send("start");
await new Promise((resolve) => setTimeout(resolve, 1_000));
const flooded = await measurePage(SECONDS * 1000);
const answered = message();
floodProcess.send("stop");
const answers = (await answered) as Record<string, number>;
clearInterval(rssTimer);

const ms = (v: number) => `${v.toFixed(1)} ms`;
console.log(machineLine());
console.log(`GET /admin/login, one visitor, sequential (${SECONDS} s each phase)`);
console.log("| phase | requests | median | p95 | max |");
console.log("|---|---|---|---|---|");
console.log(`| no flood | ${quiet.n} | ${ms(quiet.median)} | ${ms(quiet.p95)} | ${ms(quiet.max)} |`);
console.log(
  `| ${FLOODERS} concurrent wrong-password posts from new addresses | ${flooded.n} | ${ms(flooded.median)} | ${ms(flooded.p95)} | ${ms(flooded.max)} |`,
);
console.log(`flood answered: ${JSON.stringify(answers)}`);
console.log(`process peak RSS: ${(peakRss / 2 ** 20).toFixed(0)} MiB`);

await product.stop();
await drop();
