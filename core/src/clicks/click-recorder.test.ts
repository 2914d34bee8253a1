import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { type ClickVisit, createClickRecorder } from "./click-recorder.ts";
import type { ClickWriter } from "./click-writer.ts";
import { openClickWriter } from "./open-click-writer.ts";
import { insertTestLink, type TestLink } from "./test-links.ts";

let database: TestDatabase;
let link: TestLink;
let writer: ClickWriter;

beforeAll(async () => {
  database = await createTestDatabase();
  writer = openClickWriter(database);
  link = await insertTestLink(database.db);
});

afterAll(async () => {
  await writer.close();
  await database.destroy();
});

const MINUTE = 60_000;

function visit(at: Date, overrides: Partial<ClickVisit> = {}): ClickVisit {
  return {
    link: {
      id: link.linkId,
      storeId: link.storeId,
      campaignId: link.campaignId,
      creatorId: link.creatorId,
      hashKey: "k",
    },
    at,
    clientIp: "198.51.100.9",
    userAgent: "Mozilla/5.0 Test",
    bot: false,
    country: null,
    referrerHost: null,
    ...overrides,
  };
}

function recorderFor(extra: Partial<Parameters<typeof createClickRecorder>[0]> = {}) {
  return createClickRecorder({ db: database.db, provider: database.provider, writer, ...extra });
}

describe("createClickRecorder", () => {
  it("qualifies a visitor again once the hour has passed", async () => {
    const recorder = recorderFor();
    const t0 = new Date("2026-03-01T10:00:00Z");
    const ip = { clientIp: "198.51.100.10" };
    expect((await recorder.record(visit(t0, ip)))?.qualification).toBe("qualified");
    expect((await recorder.record(visit(new Date(t0.getTime() + 59 * MINUTE), ip)))?.qualification).toBe("repeat");
    expect((await recorder.record(visit(new Date(t0.getTime() + 60 * MINUTE), ip)))?.qualification).toBe("qualified");
  });

  it("does not qualify a visitor again after a restart within the hour", async () => {
    const at = new Date(Date.now() - 30 * MINUTE);
    const ip = { clientIp: "198.51.100.11" };
    const before = recorderFor();
    expect((await before.record(visit(at, ip)))?.qualification).toBe("qualified");
    await before.stop();

    const restarted = recorderFor();
    await restarted.start();
    expect((await restarted.record(visit(new Date(), ip)))?.qualification).toBe("repeat");
    expect((await restarted.record(visit(new Date(), { clientIp: "198.51.100.12" })))?.qualification).toBe("qualified");
  });

  it("keeps recognising a visitor across the midnight salt change", async () => {
    const recorder = recorderFor();
    const ip = { clientIp: "198.51.100.13" };
    const evening = await recorder.record(visit(new Date("2026-03-01T23:50:00Z"), ip));
    const night = await recorder.record(visit(new Date("2026-03-02T00:10:00Z"), ip));
    const later = await recorder.record(visit(new Date("2026-03-02T00:55:00Z"), ip));
    expect([evening?.qualification, night?.qualification, later?.qualification]).toEqual([
      "qualified",
      "repeat",
      "qualified",
    ]);
  });

  it("writes concurrent clicks in a few groups and answers each once its group is committed", async () => {
    let statements = 0;
    const counting: ClickWriter = {
      write: (rows) => {
        statements++;
        return writer.write(rows);
      },
      close: async () => {},
    };
    const recorder = recorderFor({ writer: counting, maxBatch: 50 });
    const before = await database.db.click.count();
    const clicks = await Promise.all(
      Array.from({ length: 120 }, (_, i) => recorder.record(visit(new Date(), { clientIp: `10.0.0.${i}` }))),
    );
    expect(clicks.every((c) => c !== null)).toBe(true);
    expect(await database.db.click.count()).toBe(before + 120);
    expect(statements).toBeGreaterThanOrEqual(3);
    expect(statements).toBeLessThanOrEqual(4);
  });

  it("keeps an idle writer's group open while clicks arrive on consecutive event-loop turns", async () => {
    const groups: number[] = [];
    const counting: ClickWriter = {
      write: (rows) => {
        groups.push(rows.length);
        return writer.write(rows);
      },
      close: async () => {},
    };
    // Ten clicks now and ten on each of the next two turns, as requests read by consecutive socket polls.
    const arrive = async (recorder: ReturnType<typeof recorderFor>, prefix: string) => {
      const clicks: Promise<unknown>[] = [];
      for (let turn = 0; turn < 3; turn++) {
        for (let i = 0; i < 10; i++)
          clicks.push(recorder.record(visit(new Date(), { clientIp: `${prefix}.${turn}.${i}` })));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(clicks);
    };
    await arrive(recorderFor({ writer: counting }), "10.2");
    expect(groups).toEqual([30]);
    groups.length = 0;
    await arrive(recorderFor({ writer: counting, growTurns: 0 }), "10.3");
    expect(groups).toEqual([10, 10, 10]);
    groups.length = 0;
    // A lone click is not held back: its group goes to the writer on the first turn.
    const lone = recorderFor({ writer: counting });
    const click = lone.record(visit(new Date(), { clientIp: "10.4.0.1" }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(groups).toEqual([1]);
    expect(await click).not.toBeNull();
  });

  it("stop() waits for the clicks still queued", async () => {
    const recorder = recorderFor();
    const before = await database.db.click.count();
    for (let i = 0; i < 30; i++) void recorder.record(visit(new Date(), { clientIp: `10.1.0.${i}` }));
    await recorder.stop();
    expect(await database.db.click.count()).toBe(before + 30);
  });

  it("answers null when a write fails, reports it once, and lets the visitor qualify later", async () => {
    let fail = true;
    const flaky: ClickWriter = {
      write: (rows) => (fail ? Promise.reject(new Error("disk I/O error")) : writer.write(rows)),
      close: async () => {},
    };
    const onWriteError = vi.fn();
    const recorder = recorderFor({ writer: flaky, onWriteError });
    const ip = { clientIp: "198.51.100.14" };
    expect(await recorder.record(visit(new Date(), ip))).toBeNull();
    expect(await recorder.record(visit(new Date(), ip))).toBeNull();
    expect(onWriteError).toHaveBeenCalledTimes(1);
    fail = false;
    expect((await recorder.record(visit(new Date(), ip)))?.qualification).toBe("qualified");
    fail = true;
    expect(await recorder.record(visit(new Date(), ip))).toBeNull();
    expect(onWriteError).toHaveBeenCalledTimes(2);
  });

  it("retries a failed group click by click: only the click the database refuses goes without an id", async () => {
    // The database refuses one row (as it would a value it cannot hold); the rest of its group is fine.
    if (database.provider === "postgresql") {
      await database.db.$executeRawUnsafe(
        `ALTER TABLE "Click" ADD CONSTRAINT "test_refused" CHECK ("referrerHost" IS DISTINCT FROM 'refused.test')`,
      );
    } else {
      await database.db.$executeRawUnsafe(
        `CREATE TRIGGER "test_refused" BEFORE INSERT ON "Click" WHEN NEW."referrerHost" = 'refused.test' ` +
          `BEGIN SELECT RAISE(ABORT, 'refused'); END`,
      );
    }
    const onWriteError = vi.fn();
    const recorder = recorderFor({ onWriteError, maxBatch: 100 });
    const clicks = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        recorder.record(
          visit(new Date(), { clientIp: `10.7.0.${i}`, referrerHost: i % 10 === 4 ? "refused.test" : "t.co" }),
        ),
      ),
    );
    expect(clicks.map((c) => c === null)).toEqual(clicks.map((_, i) => i % 10 === 4));
    const stored = await database.db.click.count({ where: { id: { in: clicks.flatMap((c) => (c ? [c.id] : [])) } } });
    expect(stored).toBe(36);
    expect(onWriteError).toHaveBeenCalled();
    // The refused visitors were not stored, so they qualify again once their click can be written.
    const again = await recorder.record(visit(new Date(), { clientIp: "10.7.0.4", referrerHost: "t.co" }));
    expect(again?.qualification).toBe("qualified");
  });

  it("stores the same values through the Prisma fallback writer", async () => {
    const recorder = createClickRecorder({ db: database.db, provider: database.provider });
    const at = new Date("2026-03-03T12:34:56.789Z");
    const click = await recorder.record(visit(at, { clientIp: "198.51.100.15", country: "FR", referrerHost: "t.co" }));
    const row = await database.db.click.findUniqueOrThrow({ where: { id: click!.id } });
    expect(row).toMatchObject({ occurredAt: at, country: "FR", referrerHost: "t.co", qualification: "qualified" });
  });

  it("stores occurredAt so that Prisma reads back the same instant", async () => {
    const recorder = recorderFor();
    const at = new Date("2026-03-04T01:02:03.456Z");
    const click = await recorder.record(visit(at, { clientIp: "198.51.100.16" }));
    const row = await database.db.click.findUniqueOrThrow({ where: { id: click!.id } });
    expect(row.occurredAt).toEqual(at);
    expect(await database.db.click.count({ where: { id: click!.id, occurredAt: { gte: at, lte: at } } })).toBe(1);
  });

  it("never stores the raw IP", async () => {
    const recorder = recorderFor();
    const clientIp = "2001:db8::dead:beef";
    const click = await recorder.record(visit(new Date(), { clientIp, country: "DE", referrerHost: "t.co" }));
    const row = await database.db.click.findUniqueOrThrow({ where: { id: click!.id } });
    expect(JSON.stringify(row)).not.toContain(clientIp);
    expect(row).toMatchObject({ country: "DE", referrerHost: "t.co", linkId: link.linkId });
  });
});
