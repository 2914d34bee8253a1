import { afterAll, beforeAll, expect, it } from "vitest";
import type { Db } from "../db/client.ts";
import { newId } from "../shared/ids.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { seedProgram } from "../testing/fixtures.ts";
import { recoverEventFollowUps } from "./record-events.ts";

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});
afterAll(async () => {
  await database.destroy();
});

// SQLite binds at most 999 parameters per statement; the start-up recovery reads up to 5,000 events at once.
it("recovers the follow-ups of more sign-ups than one statement can name", async () => {
  const { store } = await seedProgram(db);
  const now = new Date("2026-06-30T12:00:00Z");
  const visitors = Array.from({ length: 1_200 }, (_, i) => ({
    id: newId("vi"),
    storeId: store.id,
    externalId: `browser-${i}`,
    firstSeenAt: now,
    lastSeenAt: now,
  }));
  await db.visitor.createMany({ data: visitors });
  await db.event.createMany({
    data: visitors.map((v, i) => ({
      id: newId("ev"),
      storeId: store.id,
      eventKey: `signup-${i}`,
      type: "sign_up",
      source: "script",
      visitorId: v.id,
      customerRef: `customer-${i}`,
      occurredAt: now,
      receivedAt: now,
    })),
  });
  expect(await recoverEventFollowUps(db, now)).toBe(1_200);
  expect(await db.conversion.count({ where: { storeId: store.id, kind: "sign_up" } })).toBe(1_200);
  expect(await recoverEventFollowUps(db, now)).toBe(0);
}, 300_000);
