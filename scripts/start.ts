// `npm start`: the whole product (scripts/instance.ts) in one process, or, with WEB_CONCURRENCY=N, in N
// worker processes under node:cluster sharing PORT (the primary hands connections to them in turn), for a
// machine with several cores. The primary applies pending migrations and builds the Shopify app once, then
// forks; it restarts a worker that dies and stops them all on SIGINT/SIGTERM. Workers share the database;
// the rate limits and the click dedup window are shared through Redis when REDIS_URL is set (without it each
// worker keeps its own, so set REDIS_URL whenever WEB_CONCURRENCY > 1). Several machines: docs/deploy.md.
import cluster, { type Worker } from "node:cluster";
import { fileURLToPath } from "node:url";
import { EnvSchema, parseEnv } from "@trailmark/core/config";
import { openRuntimeDatabase } from "@trailmark/core/db";
import { ensureBuilt } from "@trailmark/shopify-app/server";

const env = parseEnv(EnvSchema);
const INSTANCE = fileURLToPath(new URL("./instance.ts", import.meta.url));
// A worker that dies sooner than this after its start counts as a crash loop: the primary waits before the next.
const QUICK_EXIT_MS = 10_000;

if (env.WEB_CONCURRENCY <= 1) {
  await import(INSTANCE);
} else {
  await supervise(env.WEB_CONCURRENCY);
}

async function supervise(count: number) {
  // Migrated once here, so that the workers start on an up-to-date schema (each then finds nothing to apply).
  const database = await openRuntimeDatabase(env.DATABASE_URL);
  await database.close();
  await ensureBuilt();
  if (!env.REDIS_URL) {
    console.warn(
      `WEB_CONCURRENCY=${count} without REDIS_URL: each worker keeps its own rate limits and click dedup window`,
    );
  }

  // Workers run instance.ts under the same loader (tsx) as this process: execArgv is inherited.
  cluster.setupPrimary({ exec: INSTANCE });
  let stopping = false;
  const startedAt = new Map<Worker, number>();
  const fork = () => startedAt.set(cluster.fork(), Date.now());
  cluster.on("exit", (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (startedAt.size === 0) process.exit(0);
      return;
    }
    console.warn(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(fork, lived < QUICK_EXIT_MS ? 2_000 : 0);
  });
  for (let i = 0; i < count; i++) fork();
  console.log(`Trailmark primary ${process.pid}: ${count} workers on port ${env.PORT}`);

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping ${startedAt.size} workers`);
    if (startedAt.size === 0) process.exit(0);
    for (const worker of startedAt.keys()) worker.process.kill(signal);
  };
  // `on`, not `once`, here and in instance.ts: Ctrl-C signals the whole process group, so a worker gets SIGINT
  // from the terminal and again from the primary; a second signal must not kill it mid-shutdown.
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}
