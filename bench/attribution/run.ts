// npx tsx bench/attribution/run.ts [journeys] [orders]
import { benchIngest } from "./ingest.ts";
import { benchModels } from "./models.ts";

const journeys = Number(process.argv[2] ?? 1_000_000);
const orders = Number(process.argv[3] ?? 4000);

console.log(`## Attribution models (${journeys.toLocaleString("en-US")} journeys per dataset)\n`);
await benchModels(journeys);

console.log(`\n## Orders ingested end to end (${orders} orders, two touches each, linear model)\n`);
console.log("| database | batches in flight | orders per batch | orders/s | seconds |");
console.log("|---|---:|---:|---:|---:|");
for (const provider of ["sqlite", "postgresql"] as const) {
  const f = await benchIngest(provider, orders);
  console.log(
    `| ${f.provider} | ${f.concurrency} | ${f.batchSize} | ${Math.round(f.ordersPerSecond)} | ${f.seconds.toFixed(2)} |`,
  );
}
