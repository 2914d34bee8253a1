import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openRedis } from "../redis/redis.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { createTestRedis, redisAvailable, type TestRedis } from "../testing/redis.ts";
import { type ClickVisit, createClickRecorder } from "./click-recorder.ts";
import type { ClickWriter } from "./click-writer.ts";
import { DedupWindow } from "./dedup-window.ts";
import { openClickWriter } from "./open-click-writer.ts";
import { RedisDedupWindow } from "./redis-dedup-window.ts";
import { insertTestLink, type TestLink } from "./test-links.ts";

// The dedup window shared through Redis: instances behind one load balancer qualify one click per visitor
// per link per hour between them, as one process does alone.

const withRedis = await redisAvailable();
const MINUTE = 60_000;
let redis: TestRedis;
let database: TestDatabase;
let link: TestLink;
let writer: ClickWriter;

beforeAll(async () => {
  if (!withRedis) return;
  redis = createTestRedis();
  database = await createTestDatabase();
  writer = openClickWriter(database);
  link = await insertTestLink(database.db);
});
afterAll(async () => {
  if (!withRedis) return;
  await writer.close();
  await database.destroy();
  await redis.destroy();
});

function visit(at: Date, clientIp: string): ClickVisit {
  return {
    link: {
      id: link.linkId,
      storeId: link.storeId,
      campaignId: link.campaignId,
      creatorId: link.creatorId,
      hashKey: "k",
    },
    at,
    clientIp,
    userAgent: "Mozilla/5.0 Test",
    bot: false,
    country: null,
    referrerHost: null,
  };
}

describe.skipIf(!withRedis)("RedisDedupWindow", () => {
  it("claims like DedupWindow: once per window per key, and not while the other key is recent", async () => {
    const shared = new RedisDedupWindow(redis, 1_000);
    const local = new DedupWindow(1_000);
    const steps: [string, string | null, number][] = [
      ["a", null, 10_000],
      ["a", null, 10_999],
      ["a", null, 11_000],
      ["b", "a", 11_500],
      ["b", "a", 12_000],
      ["b", null, 12_500],
      // A clock that stepped back: the remembered click lies in the future and still counts.
      ["c", null, 20_000],
      ["c", null, 19_000],
    ];
    const answers = [];
    for (const [key, also, at] of steps) answers.push([await shared.claim(key, also, at), local.claim(key, also, at)]);
    expect(answers.map(([s]) => s)).toEqual([true, false, true, false, true, false, true, false]);
    expect(answers.map(([, l]) => l)).toEqual(answers.map(([s]) => s));
  });

  it("forgets a remembered click only if no newer one replaced it", async () => {
    const w = new RedisDedupWindow(redis, 10_000);
    expect(await w.claim("f", null, 1)).toBe(true);
    w.forget("f", 1);
    await vi.waitFor(async () => expect(await redis.client.exists(`${redis.prefix}dd:f`)).toBe(0), { timeout: 10_000 });
    expect(await w.claim("f", null, 3)).toBe(true);
    w.forget("f", 1);
    expect(await new RedisDedupWindow(redis, 10_000).claim("f", null, 4)).toBe(false);
  });

  it("warms from the database without replacing a newer click another instance remembered", async () => {
    const now = Date.now();
    const w = new RedisDedupWindow(redis, MINUTE, undefined, () => now);
    expect(await w.claim("w", null, now - 1_000)).toBe(true);
    await w.warm([
      { key: "w", atMs: now - 30_000 },
      { key: "x", atMs: now - 30_000 },
      { key: "gone", atMs: now - 2 * MINUTE },
    ]);
    expect(await redis.client.get(`${redis.prefix}dd:w`)).toBe(String(now - 1_000));
    expect(await redis.client.get(`${redis.prefix}dd:x`)).toBe(String(now - 30_000));
    expect(await redis.client.exists(`${redis.prefix}dd:gone`)).toBe(0);
    expect(Number(await redis.client.pttl(`${redis.prefix}dd:x`))).toBeLessThanOrEqual(30_000);
  });

  it("classifies from this process's own clicks while Redis does not answer, with one warning", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const down = openRedis("redis://127.0.0.1:1", { prefix: "down:" });
    try {
      const w = new RedisDedupWindow(down, MINUTE);
      expect(await w.claim("d", null, 1_000)).toBe(true);
      expect(await w.claim("d", null, 2_000)).toBe(false);
      expect(await w.claim("e", null, 2_000)).toBe(true);
      expect(warn.mock.calls.filter(([m]) => String(m).startsWith("redis unavailable"))).toHaveLength(1);
    } finally {
      down.client.disconnect();
      warn.mockRestore();
    }
  });
});

describe.skipIf(!withRedis)("click recorders of several instances on one Redis", () => {
  function instance(shared: boolean) {
    return createClickRecorder({ db: database.db, provider: database.provider, writer, redis: shared ? redis : null });
  }

  it("qualify one of a visitor's concurrent clicks between them", async () => {
    const instances = [instance(true), instance(true), instance(true)];
    const at = new Date("2026-03-01T10:00:00Z");
    const clicks = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        instances[i % 3]!.record(visit(new Date(at.getTime() + i), "198.51.100.30")),
      ),
    );
    expect(clicks.filter((c) => c?.qualification === "qualified")).toHaveLength(1);
    expect(clicks.filter((c) => c?.qualification === "repeat")).toHaveLength(29);
    // An hour after the qualified one, the visitor qualifies again, on any instance.
    const first = clicks.find((c) => c?.qualification === "qualified")!;
    const firstAt = (await database.db.click.findUniqueOrThrow({ where: { id: first.id } })).occurredAt.getTime();
    expect((await instances[1]!.record(visit(new Date(firstAt + 60 * MINUTE), "198.51.100.30")))?.qualification).toBe(
      "qualified",
    );
  });

  it("each qualify the visitor once when they keep the window in their own memory", async () => {
    // What issue 18 reported: without a shared window every instance counts the visitor once.
    const instances = [instance(false), instance(false), instance(false)];
    const at = new Date("2026-03-01T12:00:00Z");
    const clicks = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        instances[i % 3]!.record(visit(new Date(at.getTime() + i), "198.51.100.31")),
      ),
    );
    expect(clicks.filter((c) => c?.qualification === "qualified")).toHaveLength(3);
  });

  it("recognise a visitor across the midnight salt change between instances", async () => {
    const [a, b] = [instance(true), instance(true)];
    const evening = await a.record(visit(new Date("2026-03-01T23:50:00Z"), "198.51.100.32"));
    const night = await b.record(visit(new Date("2026-03-02T00:10:00Z"), "198.51.100.32"));
    expect([evening?.qualification, night?.qualification]).toEqual(["qualified", "repeat"]);
  });

  it("refill an emptied Redis from the database at start, so a restart qualifies no one twice", async () => {
    const at = new Date(Date.now() - 30 * MINUTE);
    const before = instance(true);
    expect((await before.record(visit(at, "198.51.100.33")))?.qualification).toBe("qualified");
    await before.stop();
    await redis.client.del(...(await redis.client.keys(`${redis.prefix}dd:*`)));
    const restarted = instance(true);
    await restarted.start();
    // Another instance, which never saw the click, now finds it in Redis.
    expect((await instance(true).record(visit(new Date(), "198.51.100.33")))?.qualification).toBe("repeat");
  });

  it("stop() waits for clicks still being classified in Redis", async () => {
    const recorder = instance(true);
    const recorded: unknown[] = [];
    for (let i = 0; i < 10; i++) void recorder.record(visit(new Date(), `10.9.0.${i}`)).then((c) => recorded.push(c));
    await recorder.stop();
    await new Promise((r) => setImmediate(r));
    expect(recorded).toHaveLength(10);
  });
});
