// npm run bench:tracking [seconds]: the redirect against bare node:http, then the collector.
import { execFileSync } from "node:child_process";

const seconds = process.argv[2] ?? "10";
for (const script of ["bench/tracking/redirect.ts", "bench/tracking/collect.ts"]) {
  execFileSync("node_modules/.bin/tsx", [script, seconds], { stdio: "inherit" });
}
