// Event-loop delay of a served process, second by second, for benchmarks: load it with
// BENCH_NODE_ARGS="--import ./bench/event-loop-probe.mjs" (bench/admin/login-flood.ts). On exit it writes
// [{ t, mean, p99, max }] in milliseconds (t: seconds since start) to /tmp/event-loop-<pid>.json. The
// resolution is 5 ms, so 5 ms is its floor.
import { writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();
const started = Date.now();
const seconds = [];
setInterval(() => {
  if (histogram.count > 0) {
    seconds.push({
      t: Math.round((Date.now() - started) / 1000),
      mean: histogram.mean / 1e6,
      p99: histogram.percentile(99) / 1e6,
      max: histogram.max / 1e6,
    });
  }
  histogram.reset();
}, 1000).unref();
process.on("exit", () => writeFileSync(`/tmp/event-loop-${process.pid}.json`, JSON.stringify(seconds)));
