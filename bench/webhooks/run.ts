// Order webhooks end to end: `npm run bench:webhooks -- [orders] [--db=sqlite,postgresql] [--platform=shopify,woocommerce]`.
//
// For each database and platform, on a fresh database with one store, a campaign and 10 creators (each with a
// link and a discount code): `orders` distinct orders, each carrying a creator's click id and discount code, are
// signed byte for byte as the platform signs them (Shopify: the orders/create sample's shape; WooCommerce: PHP's
// JSON escapes) and posted through HTTP on loopback with 50 connections (autocannon), first to a bare node:http
// server that reads the body and answers 200 (the baseline), then to the receipt with the inbox worker running
// in the same process, as npm start runs them. Receipt: requests/s and latency percentiles. End to end: from
// the first delivery sent until every order has its commission. Then every count is checked: each acknowledged
// delivery stored and processed once, one order, one conversion and one commission per order.
import { loadavg, uptime } from "node:os";
import autocannon from "autocannon";
import { benchIngest } from "../attribution/ingest.ts";
import { machineLine, type Provider, scratchDatabase } from "../bench-database.ts";
import { type Delivery, seed, shopifyDeliveries, startServer, wooDeliveries } from "./fixtures.ts";

const orders = Number(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? 10_000);
const option = (name: string, fallback: string) =>
  (process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback).split(",");
const providers = option("db", "sqlite,postgresql") as Provider[];
const platforms = option("platform", "shopify,woocommerce") as ("shopify" | "woocommerce")[];
const withEngine = process.argv.includes("--engine");
const CONNECTIONS = 50;

interface LoadFigures {
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  ok: number;
  failed: number;
  seconds: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function load(url: string, deliveries: Delivery[]): Promise<LoadFigures> {
  let next = 0;
  const latencies: number[] = [];
  let ok = 0;
  const started = performance.now();
  const instance = autocannon({
    url,
    connections: CONNECTIONS,
    amount: deliveries.length,
    requests: [
      {
        method: "POST",
        setupRequest: (req) => {
          const d = deliveries[next++ % deliveries.length]!;
          return { ...req, path: d.path, headers: d.headers, body: d.body };
        },
      },
    ],
  });
  instance.on("response", (_client: unknown, status: unknown, _bytes: unknown, responseTime: unknown) => {
    latencies.push(responseTime as number);
    if (status === 200) ok++;
  });
  const result = await instance;
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? 0,
    ok,
    failed: result.errors + result.non2xx,
    seconds,
  };
}

const ms = (v: number) => v.toFixed(1);
const rows: string[] = [];
const engine: string[] = [];
const load1 = () => loadavg()[0]!.toFixed(2);

for (const provider of providers) {
  if (withEngine) {
    const f = await benchIngest(provider, 4000);
    engine.push(`| ${provider} | ${Math.round(f.ordersPerSecond)} | ${f.seconds.toFixed(2)} | ${load1()} |`);
  }
  for (const platform of platforms) {
    const { database, drop } = await scratchDatabase(`webhooks_${platform}`, provider);
    try {
      const { db } = database;
      const { store, domain, clicks } = await seed(db, platform, orders);
      const deliveries =
        platform === "shopify" ? shopifyDeliveries(domain, clicks) : wooDeliveries(store.id, domain, clicks);

      const bare = await startServer("bare");
      const baseline = await load(bare.url, deliveries);
      bare.proc.kill("SIGTERM");

      const server = await startServer("receipt", database.url);
      const loadBefore = load1();
      const t0 = performance.now();
      const receipt = await load(server.url, deliveries);
      let commissions = 0;
      for (;;) {
        commissions = await db.commission.count({ where: { storeId: store.id } });
        if (commissions >= orders || performance.now() - t0 > 600_000 || process.env.NO_WORKER === "1") break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const endToEnd = (performance.now() - t0) / 1000;
      // The deliveries are marked done just after their batch commits.
      for (let i = 0; i < 100; i++) {
        if ((await db.webhookInbox.count({ where: { status: { not: "done" } } })) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const loadAfter = load1();
      server.proc.kill("SIGTERM");

      const inbox = await db.webhookInbox.groupBy({ by: ["status"], _count: true });
      const done = inbox.find((r) => r.status === "done")?._count ?? 0;
      const stored = await db.order.count({ where: { storeId: store.id } });
      const conversions = await db.conversion.count({ where: { storeId: store.id, status: "attributed" } });
      const distinct = (
        await db.commission.groupBy({ by: ["conversionId"], where: { storeId: store.id }, _count: true })
      ).length;
      const exact =
        receipt.ok === orders &&
        done === orders &&
        inbox.length === 1 &&
        stored === orders &&
        conversions === orders &&
        commissions === orders &&
        distinct === orders;
      rows.push(
        `| ${provider} | ${platform} | ${Math.round(baseline.requestsPerSecond)} | ${ms(baseline.p50)} / ${ms(baseline.p95)} / ${ms(baseline.p99)} | ${Math.round(receipt.requestsPerSecond)} | ${ms(receipt.p50)} / ${ms(receipt.p95)} / ${ms(receipt.p99)} | ${ms(receipt.max)} | ${Math.round(orders / endToEnd)} | ${endToEnd.toFixed(2)} | ${receipt.ok} / ${done} / ${stored} / ${conversions} / ${commissions} | ${exact ? "yes" : "NO"} | ${loadBefore}–${loadAfter} |`,
      );
      console.error(rows.at(-1));
    } finally {
      await drop();
    }
  }
}

console.log(`## Order webhooks (${orders.toLocaleString("en-US")} orders, ${CONNECTIONS} connections)\n`);
console.log(
  `machine: ${machineLine()}; uptime ${Math.round(uptime() / 3600)} h; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}\n`,
);
if (engine.length > 0) {
  console.log("Engine alone (`ingestOrders`, bench:attribution's ingest, same session):\n");
  console.log("| database | orders/s | seconds | load (1 min) |");
  console.log("|---|---:|---:|---:|");
  for (const r of engine) console.log(r);
  console.log("");
}
console.log(
  "| database | platform | bare req/s | bare p50 / p95 / p99 ms | receipt req/s | receipt p50 / p95 / p99 ms | receipt max ms | end to end orders/s | seconds | acknowledged / processed / orders / attributed / commissions | exactly once | load (1 min) |",
);
console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---|:---:|---|");
for (const r of rows) console.log(r);
