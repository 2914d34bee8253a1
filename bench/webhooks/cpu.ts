// CPU per order webhook, which a loaded machine does not distort the way it does throughput:
// `npx tsx bench/webhooks/cpu.ts [orders] [--db=sqlite,postgresql] [--platform=shopify,woocommerce]`.
//
// Receipt: the bench server with the worker stopped (NO_WORKER=1) stores `orders` signed deliveries posted over
// loopback (50 connections); its process CPU time (user + system, /proc) over those requests, per delivery.
// Worker: the inbox worker as scripts/inbox-worker.ts configures it, in this process, drains them; this
// process's CPU time (every thread, not the database server's) per delivery. A warm-up of 400 deliveries goes
// through both first. PROFILE_DIR=<dir> writes V8 CPU profiles of the receipt server and of this process;
// TRACE_OPS=1 lists the worker's CPU per Prisma operation (SQLite only: on PostgreSQL the query extension it
// uses rejects the claim's nested raw SQL).
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { providerOfDb } from "@trailmark/core/db";
import { createInboxWorker } from "@trailmark/core/inbox";
import { createShopifyDeliveryHandler } from "@trailmark/shopify";
import { createWooDeliveryHandler } from "@trailmark/woocommerce";
import autocannon from "autocannon";
import { type Provider, scratchDatabase } from "../bench-database.ts";
import { type Delivery, seed, shopifyDeliveries, startServer, wooDeliveries } from "./fixtures.ts";

const orders = Number(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? 3000);
const option = (name: string, fallback: string) =>
  (process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback).split(",");
const providers = option("db", "sqlite,postgresql") as Provider[];
const platforms = option("platform", "shopify,woocommerce") as ("shopify" | "woocommerce")[];
const profileDir = process.env.PROFILE_DIR;
const WARM_UP = 400;
const TICK_US = 1_000_000 / 100; // USER_HZ

/** A process's user + system CPU time in µs, from /proc. */
function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

async function post(url: string, deliveries: Delivery[]): Promise<void> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: 50,
    amount: deliveries.length,
    requests: [
      {
        method: "POST",
        setupRequest: (req) => {
          const d = deliveries[next++]!;
          return { ...req, path: d.path, headers: d.headers, body: d.body };
        },
      },
    ],
  });
  if (result.errors + result.non2xx > 0) throw new Error(`${result.errors + result.non2xx} deliveries failed`);
}

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const rows: string[] = [];
for (const provider of providers) {
  for (const platform of platforms) {
    const { database, drop } = await scratchDatabase(`cpu_${platform}`, provider);
    try {
      const { db } = database;
      const { store, domain, clicks } = await seed(db, platform, WARM_UP + orders);
      const all = platform === "shopify" ? shopifyDeliveries(domain, clicks) : wooDeliveries(store.id, domain, clicks);
      const opCpu = new Map<string, { n: number; us: number }>();
      const traced = process.env.TRACE_OPS
        ? (db.$extends({
            query: {
              async $allOperations({ model, operation, args, query }) {
                const c0 = cpuUs();
                try {
                  return await query(args);
                } finally {
                  const raw =
                    (args as { strings?: string[] })?.strings?.[0] ?? (Array.isArray(args) ? String(args[0]) : "");
                  const key = `${model ?? ""}.${operation} ${model ? "" : raw.slice(0, 60)}`;
                  const e = opCpu.get(key) ?? { n: 0, us: 0 };
                  e.n++;
                  e.us += cpuUs() - c0;
                  opCpu.set(key, e);
                }
              },
            },
          }) as unknown as typeof db)
        : db;
      const worker = createInboxWorker({
        db: traced,
        handlers: {
          shopify: createShopifyDeliveryHandler(traced, { log: () => {} }),
          woocommerce: createWooDeliveryHandler({ db: traced }),
        },
        lanes: providerOfDb(db) === "postgresql" ? 2 : 1,
      });
      const server = await startServer("receipt", database.url, {
        env: { NO_WORKER: "1" },
        nodeArgs: profileDir
          ? ["--cpu-prof", "--cpu-prof-dir", join(profileDir, `receipt-${provider}-${platform}`)]
          : [],
      });
      const pid = server.proc.pid!;
      let receiptUs: number;
      try {
        await post(server.url, all.slice(0, WARM_UP));
        await worker.drain();
        const r0 = processCpuUs(pid);
        await post(server.url, all.slice(WARM_UP));
        receiptUs = (processCpuUs(pid) - r0) / orders;
      } finally {
        server.proc.kill("SIGTERM");
      }

      const session = profileDir ? new Session() : null;
      if (session) {
        session.connect();
        await session.post("Profiler.enable");
        await session.post("Profiler.start");
      }
      const w0 = cpuUs();
      const t0 = performance.now();
      opCpu.clear();
      const handled = await worker.drain();
      for (const [k, v] of [...opCpu].sort((a, b) => b[1].us - a[1].us))
        console.error(`  ${(v.us / orders).toFixed(0).padStart(5)} µs/order  ${String(v.n).padStart(5)}x  ${k}`);
      const workerUs = (cpuUs() - w0) / orders;
      const seconds = (performance.now() - t0) / 1000;
      if (session) {
        const { profile } = await session.post("Profiler.stop");
        writeFileSync(join(profileDir!, `worker-${provider}-${platform}.cpuprofile`), JSON.stringify(profile));
        session.disconnect();
      }
      const commissions = await db.commission.count({ where: { storeId: store.id } });
      const ok = handled === orders && commissions === WARM_UP + orders;
      rows.push(
        `| ${provider} | ${platform} | ${Math.round(receiptUs)} | ${Math.round(workerUs)} | ${seconds.toFixed(2)} | ${ok ? "yes" : `NO (${handled} handled, ${commissions} commissions)`} | ${loadavg()[0]!.toFixed(1)} |`,
      );
      console.error(rows.at(-1));
    } finally {
      await drop();
    }
  }
}
console.log("| database | platform | receipt µs CPU/delivery | worker µs CPU/order | worker s | complete | load |");
console.log("|---|---|---:|---:|---:|:---:|---:|");
for (const r of rows) console.log(r);
