// The committed click insert by itself: what group commit costs per click on this machine, apart from HTTP.
//   npx tsx bench/tracking/click-insert.ts [clicks per size=200000] [--sizes=1,10,30,50,256]
// Writes groups of clicks through openClickWriter (the redirect's own writer) into a fresh database, one
// group at a time as the recorder does, and reports this process's CPU time (user + system) and the wall
// time per click. The rows look like the redirect's: time-ordered ids, one link, a different visitor hash
// per click. On PostgreSQL the server's own CPU is not counted (it is another process).
import { randomBytes } from "node:crypto";
import type { ClickRow } from "@trailmark/core/clicks";
import { insertTestLink, openClickWriter, orderedClickId } from "@trailmark/core/clicks";
import { machineLine, scratchDatabase } from "../bench-database.ts";

const args = process.argv.slice(2);
const perSize = Number(args.find((a) => !a.startsWith("--")) ?? 200_000);
const sizes = (args.find((a) => a.startsWith("--sizes="))?.split("=")[1] ?? "1,10,30,50,256").split(",").map(Number);

const { database, drop } = await scratchDatabase("insert");
const link = await insertTestLink(database.db);
const writer = openClickWriter(database);

function group(size: number): ClickRow[] {
  const at = new Date();
  return Array.from({ length: size }, () => ({
    id: orderedClickId(at.getTime()),
    storeId: link.storeId,
    linkId: link.linkId,
    campaignId: link.campaignId,
    creatorId: link.creatorId,
    visitorHash: randomBytes(16).toString("hex"),
    qualification: "qualified" as const,
    country: null,
    referrerHost: null,
    occurredAt: at,
  }));
}

console.log(`## Committed click insert — ${database.provider}\n`);
console.log(`Machine: ${machineLine()}; ${perSize.toLocaleString("en-US")} clicks per group size\n`);
console.log("| clicks per commit | CPU µs per click (user + system) | wall µs per click | commits/s |");
console.log("|---:|---:|---:|---:|");
for (const size of sizes) {
  const groups = Math.max(1, Math.round(perSize / size));
  // Build the rows first so that only the writes are timed.
  const batches = Array.from({ length: groups }, () => group(size));
  for (const rows of batches.slice(0, Math.ceil(groups / 10))) await writer.write(group(rows.length));
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const rows of batches) await writer.write(rows);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const clicks = groups * size;
  console.log(
    `| ${size} | ${((used.user + used.system) / clicks).toFixed(2)} | ${((wallMs * 1000) / clicks).toFixed(2)} | ${Math.round((groups * 1000) / wallMs).toLocaleString("en-US")} |`,
  );
}
await writer.close();
await drop();
