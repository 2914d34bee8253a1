import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../shared/errors.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { seedProgram } from "../testing/fixtures.ts";
import { type EventRecord, toEventRecord } from "./event-record.ts";
import type { EventSink } from "./event-rows.ts";
import { createEventWriter } from "./event-writer.ts";
import { openEventSink } from "./open-event-sink.ts";

let database: TestDatabase;
let sink: EventSink;
let storeId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  sink = openEventSink(database);
  storeId = (await seedProgram(database.db, { domain: "shop.example.com" })).store.id;
});
afterAll(async () => {
  await sink?.close();
  await database?.destroy();
});

const pageView = (id: string, visitor = `vis-${id}`): EventRecord =>
  toEventRecord({ id, type: "page_view", visitor_id: visitor, click_ids: [] }, "pixel", new Date());

// A record the database refuses whatever the validation in front of it missed: a date no column can hold.
const refused = (id: string): EventRecord => ({ ...pageView(id), occurredAt: new Date(Number.NaN) });

describe("createEventWriter on the collector's own sink", () => {
  it("retries a failed group member by member: only the bad member fails, every other is stored", async () => {
    const writer = createEventWriter(database.db, { sink, log: () => {} });
    const members = Array.from({ length: 60 }, (_, i) =>
      i % 10 === 3 ? [refused(`w-bad-${i}`)] : [pageView(`w-good-${i}`, `vis-${i % 7}`)],
    );
    const results = await Promise.allSettled(members.map((records) => writer.write(storeId, records)));
    await writer.idle();
    results.forEach((r, i) => {
      if (i % 10 === 3) {
        expect(r.status).toBe("rejected");
        const reason = (r as PromiseRejectedResult).reason;
        expect(reason).toBeInstanceOf(AppError);
        expect(reason.code).toBe("invalid");
        expect(reason.message).toContain(`w-bad-${i}`);
      } else expect(r).toEqual({ status: "fulfilled", value: { stored: 1 } });
    });
    expect(await database.db.event.count({ where: { storeId, eventKey: { startsWith: "w-good-" } } })).toBe(54);
    expect(await database.db.event.count({ where: { storeId, eventKey: { startsWith: "w-bad-" } } })).toBe(0);
  });

  it("keeps the good events of a batch whose one event is refused, and fails that request", async () => {
    const writer = createEventWriter(database.db, { sink, log: () => {} });
    const batch = [pageView("b-1"), refused("b-2"), pageView("b-3")];
    const [bad, neighbour] = await Promise.allSettled([
      writer.write(storeId, batch),
      writer.write(storeId, [pageView("b-other")]),
    ]);
    expect(bad.status).toBe("rejected");
    expect((bad as PromiseRejectedResult).reason.message).toContain("b-2");
    expect(neighbour).toEqual({ status: "fulfilled", value: { stored: 1 } });
    const keys = await database.db.event.findMany({
      where: { storeId, eventKey: { startsWith: "b-" } },
      select: { eventKey: true },
      orderBy: { eventKey: "asc" },
    });
    expect(keys.map((k) => k.eventKey)).toEqual(["b-1", "b-3", "b-other"]);
    // The sender's retry of the batch stores nothing twice.
    await expect(writer.write(storeId, [batch[0]!, batch[2]!])).resolves.toEqual({ stored: 0 });
  });

  it("answers a failure of the database itself as what it is, not as bad input", async () => {
    const broken: EventSink = {
      store: () => Promise.reject(Object.assign(new Error("connection terminated"), { code: "57P01" })),
      close: async () => {},
    };
    const writer = createEventWriter(database.db, { sink: broken, log: () => {} });
    const results = await Promise.allSettled([
      writer.write(storeId, [pageView("x-1")]),
      writer.write(storeId, [pageView("x-2")]),
    ]);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      expect((r as PromiseRejectedResult).reason).not.toBeInstanceOf(AppError);
    }
  });
});

describe("createEventWriter under load", () => {
  it("gathers the events that arrive while its writes are under way into the next group", async () => {
    const groups: number[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The collector's own sink, with its first write held until released.
    const slow: EventSink = {
      async store(id, records) {
        groups.push(records.length);
        if (groups.length === 1) await held;
        return sink.store(id, records);
      },
      close: async () => {},
    };
    const writer = createEventWriter(database.db, { sink: slow, maxInFlight: 1 });
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    const first = writer.write(storeId, [pageView("load-1")]);
    await tick();
    const later = [writer.write(storeId, [pageView("load-2")])];
    await tick();
    later.push(writer.write(storeId, [pageView("load-3"), pageView("load-4")]));
    await tick();
    // Nothing more is written while the first write is under way.
    expect(groups).toEqual([1]);
    release();
    expect(await first).toEqual({ stored: 1 });
    expect(await Promise.all(later)).toEqual([{ stored: 1 }, { stored: 2 }]);
    expect(groups).toEqual([1, 3]);
    await writer.idle();
    expect(await database.db.event.count({ where: { storeId, eventKey: { startsWith: "load-" } } })).toBe(4);
  });
});
