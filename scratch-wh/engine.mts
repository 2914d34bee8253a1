import { benchIngest } from "/work/wt/webhooks/bench/attribution/ingest.ts";
console.log(await benchIngest((process.argv[2] ?? "sqlite") as "sqlite", 2000));
