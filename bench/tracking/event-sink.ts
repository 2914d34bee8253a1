// The collector's committed event write by itself: what a group of page views costs per event on this machine,
// apart from HTTP and validation.
//   npx tsx bench/tracking/event-sink.ts [events per size=100000] [--sizes=1,10,50]
// Writes groups of page views through openEventSink (the collector's own sink) into a fresh database, one group
// at a time, and reports this process's CPU time (user + system) and the wall time per event. The events look
// like the pixel's: a random Shopify event id, 5,000 visitors seen again and again, a product URL. On
// PostgreSQL the server's own CPU is not counted (it is another process), but it is in the wall time.
import { randomUUID } from "node:crypto";
import { type EventRecord, openEventSink, toEventRecord } from "@trailmark/core/events";
import { createStore } from "@trailmark/core/stores";
import { machineLine, scratchDatabase } from "../bench-database.ts";

const args = process.argv.slice(2);
const perSize = Number(args.find((a) => !a.startsWith("--")) ?? 100_000);
const sizes = (args.find((a) => a.startsWith("--sizes="))?.split("=")[1] ?? "1,10,50").split(",").map(Number);

const { database, drop } = await scratchDatabase("sink");
const { store } = await createStore(database.db, { platform: "custom", domain: "bench-shop.example.com" });
const sink = openEventSink(database);

let seq = 0;
function group(size: number): EventRecord[] {
  const now = new Date();
  return Array.from({ length: size }, () => {
    seq++;
    return toEventRecord(
      {
        id: `sh-${randomUUID()}`,
        type: "page_view",
        visitor_id: `v-${seq % 5000}`,
        url: `https://bench-shop.example.com/products/${seq % 100}?utm_source=x`,
        click_ids: [],
      },
      "pixel",
      now,
    );
  });
}

console.log(`## Committed event write — ${database.provider}\n`);
console.log(`Machine: ${machineLine()}; ${perSize.toLocaleString("en-US")} events per group size\n`);
console.log("| events per commit | CPU µs per event (user + system) | wall µs per event | commits/s |");
console.log("|---:|---:|---:|---:|");
for (const size of sizes) {
  const groups = Math.max(1, Math.round(perSize / size));
  const batches = Array.from({ length: groups }, () => group(size));
  for (let i = 0; i < Math.ceil(groups / 10); i++) await sink.store(store.id, group(size));
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const rows of batches) await sink.store(store.id, rows);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const events = groups * size;
  console.log(
    `| ${size} | ${((used.user + used.system) / events).toFixed(2)} | ${((wallMs * 1000) / events).toFixed(2)} | ${Math.round((groups * 1000) / wallMs).toLocaleString("en-US")} |`,
  );
}
await sink.close();
await drop();
