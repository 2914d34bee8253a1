import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { providerOf } from "@trailmark/core/db";
import {
  createTestDatabase,
  deleteRedisPrefix,
  REDIS_TEST_URL,
  type TestDatabase,
  testRedisPrefix,
} from "@trailmark/core/testing";
import { seedWooProgram, TEST_WEBHOOK_SECRET, wooDelivery, wooOrderPayload } from "@trailmark/woocommerce/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "./handler.ts";

// Issue 18: several instances of `npm start` on one PostgreSQL and one Redis behind a round-robin balancer
// (a small proxy on loopback). Three instances, separate processes; the third is itself a node:cluster of two
// workers (WEB_CONCURRENCY=2). Through the balancer: one qualified click per visitor per link per hour, one
// /collect rate limit, each periodic job once per period, each webhook processed once.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const onPostgres = providerOf(process.env.DATABASE_URL ?? "file:") === "postgresql";
if (!onPostgres) {
  console.warn(
    "several-instances.e2e: skipped, DATABASE_URL is not PostgreSQL (several instances share a PostgreSQL database)",
  );
}

const INTERVAL_MS = 1_000;
const COLLECT_LIMIT = 6;
const BROWSER =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

interface Instance {
  child: ChildProcess;
  port: number;
  output: string[];
  /** Each run of a periodic job this instance logged: the job and when its period was claimed. */
  runs: { job: string; claimedAt: number }[];
}

let database: TestDatabase;
let program: Awaited<ReturnType<typeof seedWooProgram>>;
let instances: Instance[] = [];
let proxy: Server;
let proxyUrl: string;
const redisPrefix = testRedisPrefix();

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

function startInstance(port: number, workers: number): Instance {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      REDIS_URL: REDIS_TEST_URL,
      REDIS_PREFIX: redisPrefix,
      PORT: String(port),
      HOST: "127.0.0.1",
      TRUST_PROXY: "true",
      WEB_CONCURRENCY: String(workers),
      COLLECT_RATE_LIMIT: String(COLLECT_LIMIT),
      APPROVAL_INTERVAL_MS: String(INTERVAL_MS),
      SHOPIFY_APP_URL: proxyUrl,
      PUBLIC_URL: proxyUrl,
      CI: "",
      VITEST: "",
      VITEST_POOL_ID: "",
      VITEST_WORKER_ID: "",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const instance: Instance = { child, port, output: [], runs: [] };
  const read = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line) continue;
      instance.output.push(line);
      const run = /periodic job (\S+) ran on \S+ \(claimed (\S+),/.exec(line);
      if (run) instance.runs.push({ job: run[1]!, claimedAt: Date.parse(run[2]!) });
    }
  };
  child.stdout!.on("data", read);
  child.stderr!.on("data", read);
  return instance;
}

async function waitForListening(instance: Instance, workers: number) {
  const deadline = Date.now() + 120_000;
  while (instance.output.filter((l) => l.startsWith("Trailmark listening")).length < workers) {
    if (instance.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`instance on ${instance.port} did not start:\n${instance.output.slice(-30).join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The balancer: each request to the next instance in turn; the client's address in X-Forwarded-For. */
function startProxy(): Promise<void> {
  let next = 0;
  proxy = createServer((req, res) => {
    const target = instances[next++ % instances.length]!;
    const headers = { ...req.headers, "x-forwarded-for": String(req.headers["x-test-client"] ?? "127.0.0.1") };
    const upstream = httpRequest(
      { host: "127.0.0.1", port: target.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  proxy.listen(0, "127.0.0.1");
  return once(proxy, "listening").then(() => {
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
}

beforeAll(async () => {
  if (!onPostgres) return;
  // On PostgreSQL this test needs Redis: it fails (not skips) without one, saying so.
  const { Redis } = await import("ioredis");
  const probe = new Redis(REDIS_TEST_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => {});
  await probe.connect().catch((error: unknown) => {
    throw new Error(`several instances share Redis: none answers at ${REDIS_TEST_URL} (${String(error)})`);
  });
  probe.disconnect();
  database = await createTestDatabase();
  program = await seedWooProgram(database.db);
  // Built once here, so that the instances do not wait on each other's build.
  await ensureBuilt();
  await startProxy();
  const ports = [await freePort(), await freePort(), await freePort()];
  instances = [startInstance(ports[0]!, 1), startInstance(ports[1]!, 1), startInstance(ports[2]!, 2)];
  await Promise.all(instances.map((instance, i) => waitForListening(instance, i === 2 ? 2 : 1)));
}, 600_000);

afterAll(async () => {
  await Promise.all(
    instances.map(async ({ child }) => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await once(child, "exit");
      clearTimeout(timer);
    }),
  );
  proxy?.close();
  if (onPostgres) {
    const { Redis } = await import("ioredis");
    const redis = new Redis(REDIS_TEST_URL);
    await deleteRedisPrefix(redis, redisPrefix);
    redis.disconnect();
  }
  await database?.destroy();
}, 60_000);

function through(path: string, init: RequestInit & { client: string }): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("x-test-client", init.client);
  return fetch(`${proxyUrl}${path}`, { ...init, headers, redirect: "manual" });
}

describe.skipIf(!onPostgres)("three instances on one PostgreSQL and one Redis behind a round-robin balancer", () => {
  it("count one qualified click per visitor per link per hour between them", async () => {
    const link = program.links[0]!;
    const click = (client: string) => through(`/c/${link.code}`, { client, headers: { "user-agent": BROWSER } });
    // Concurrent clicks, so each instance gets some while the others are classifying theirs.
    const answers = await Promise.all([
      ...Array.from({ length: 12 }, () => click("203.0.113.10")),
      ...Array.from({ length: 6 }, () => click("203.0.113.11")),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array(18).fill(302));
    const clicks = await database.db.click.groupBy({
      by: ["qualification"],
      where: { linkId: link.id },
      _count: { _all: true },
    });
    const count = Object.fromEntries(clicks.map((c) => [c.qualification, c._count._all]));
    expect(count).toEqual({ qualified: 2, repeat: 16 });
  });

  it("hold one /collect rate limit between them", async () => {
    const origin = `https://${program.store.domain}`;
    const answers = await Promise.all(
      Array.from({ length: 2 * COLLECT_LIMIT }, (_, i) =>
        through("/collect", {
          client: "203.0.113.20",
          method: "POST",
          headers: { "content-type": "text/plain", origin, "user-agent": BROWSER },
          body: JSON.stringify({
            store: program.store.id,
            visitor_id: "vis-limit",
            id: `pv-limit-${i}`,
            type: "page_view",
            url: `${origin}/`,
          }),
        }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    // Each instance got four requests; apart, each would have let all four through.
    expect(statuses).toEqual([...Array(COLLECT_LIMIT).fill(202), ...Array(COLLECT_LIMIT).fill(429)]);
    // Another address has its own limit.
    const other = await through("/collect", {
      client: "203.0.113.21",
      method: "POST",
      headers: { "content-type": "text/plain", origin, "user-agent": BROWSER },
      body: JSON.stringify({
        store: program.store.id,
        visitor_id: "v2",
        id: "pv-other",
        type: "page_view",
        url: origin,
      }),
    });
    expect(other.status).toBe(202);
  });

  it("process each webhook once, though every delivery reaches two instances", async () => {
    const orders = Array.from({ length: 6 }, (_, i) =>
      wooOrderPayload({
        id: 7100 + i,
        storeUrl: `https://${program.store.domain}`,
        modifiedGmt: "2024-11-20T10:04:33",
      }),
    );
    const deliver = async (payload: Record<string, unknown>) => {
      const request = wooDelivery({
        storeId: program.store.id,
        secret: TEST_WEBHOOK_SECRET,
        topic: "order.created",
        payload,
        storeUrl: `https://${program.store.domain}`,
      });
      const body = new Uint8Array(await request.arrayBuffer());
      return through(new URL(request.url).pathname, {
        client: "192.0.2.50",
        method: "POST",
        headers: request.headers,
        body,
      });
    };
    // WooCommerce retries a delivery it thinks failed: each arrives twice, on different instances.
    const answers = await Promise.all([...orders, ...orders].map(deliver));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    const inbox = () =>
      database.db.webhookInbox.findMany({
        where: { storeId: program.store.id },
        select: { status: true, attempts: true },
      });
    await expect
      .poll(async () => (await inbox()).filter((r) => r.status === "done").length, { timeout: 30_000, interval: 200 })
      .toBe(6);
    expect(await inbox()).toEqual(Array(6).fill({ status: "done", attempts: 1 }));
    expect(await database.db.order.count({ where: { storeId: program.store.id } })).toBe(6);
  });

  it("run each periodic job once per period between them", async () => {
    // Watch a few periods from here on.
    const from = Date.now();
    await new Promise((r) => setTimeout(r, 4 * INTERVAL_MS + 500));
    const runs = instances.flatMap((i) => i.runs);
    for (const job of ["approval-sweep", "payout-sweep"]) {
      const claimed = runs
        .filter((r) => r.job === job && r.claimedAt >= from)
        .map((r) => r.claimedAt)
        .sort((a, b) => a - b);
      // Four instances' timers, one run per period: four or five periods in the window, not sixteen.
      expect(claimed.length, job).toBeGreaterThanOrEqual(3);
      expect(claimed.length, job).toBeLessThanOrEqual(5);
      for (let i = 1; i < claimed.length; i++)
        expect(claimed[i]! - claimed[i - 1]!, job).toBeGreaterThanOrEqual(INTERVAL_MS);
    }
    // The hourly purge and the quarter-hourly reconciliation (its shortest interval is 10 s) ran once, at the
    // first start-up, on one of the four processes.
    expect(runs.filter((r) => r.job === "session-purge")).toHaveLength(1);
    expect(runs.filter((r) => r.job === "woocommerce-reconciliation")).toHaveLength(1);
  });

  it("replace a cluster worker that dies, and stop every process cleanly on SIGTERM", async () => {
    const cluster = instances[2]!;
    const pidOf = (line: string) => Number(/; pid (\d+)\)$/.exec(line)?.[1]);
    const listening = () => cluster.output.filter((l) => l.startsWith("Trailmark listening"));
    const victim = pidOf(listening()[0]!);
    expect(victim).toBeGreaterThan(0);
    process.kill(victim, "SIGKILL");
    await expect.poll(() => listening().length, { timeout: 60_000, interval: 200 }).toBe(3);
    expect(cluster.output.some((l) => l.startsWith(`worker ${victim} exited (SIGKILL)`))).toBe(true);
    // The replacement serves: the balancer's requests all succeed.
    const answers = await Promise.all(Array.from({ length: 6 }, () => through("/healthz", { client: "198.51.100.7" })));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));

    const exits = instances.map(({ child }) => once(child, "exit"));
    for (const { child } of instances) child.kill("SIGTERM");
    const codes = await Promise.all(exits);
    expect(codes.map(([code]) => code)).toEqual([0, 0, 0]);
  });
});
