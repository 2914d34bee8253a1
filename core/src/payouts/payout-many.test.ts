import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client.ts";
import { newId } from "../shared/ids.ts";
import { createStore } from "../stores/store.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { payoutRunCsv, storesDueForPayout } from "./index.ts";

// SQLite binds at most 999 parameters per statement: lists that grow with a program (creators paid in one run,
// stores on a schedule) are read in slices.

const MANY = 1_200;
let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});
afterAll(async () => {
  await database.destroy();
});

describe("payouts past the bound-parameter limit", () => {
  it(`writes the CSV of a run paying ${MANY} creators`, async () => {
    const { store } = await createStore(db, { platform: "custom", domain: "many-creators.example.com" });
    const now = new Date("2026-06-30T12:00:00Z");
    const creators = Array.from({ length: MANY }, (_, i) => ({
      id: newId("cr"),
      storeId: store.id,
      name: `Creator ${i}`,
      email: `c${i}@example.com`,
    }));
    await db.creator.createMany({ data: creators });
    const runId = newId("pr");
    await db.payoutRun.create({
      data: { id: runId, storeId: store.id, status: "approved", trigger: "manual", cutoff: now, createdAt: now },
    });
    await db.payout.createMany({
      data: creators.map((c) => ({
        id: newId("po"),
        storeId: store.id,
        runId,
        creatorId: c.id,
        currency: "USD",
        amount: 2_500n,
        method: "manual",
        status: "approved",
        createdAt: now,
      })),
    });
    const lines = (await payoutRunCsv(db, runId, store.id)).trimEnd().split(/\r?\n/);
    expect(lines).toHaveLength(1 + MANY);
    expect(lines.join("\n")).toContain("c1199@example.com");
  });

  it(`finds the due ones among ${MANY} stores paid on a schedule`, async () => {
    const stores = Array.from({ length: MANY }, (_, i) => ({
      id: newId("st"),
      platform: "custom",
      domain: `scheduled-${i}.example.com`,
      name: `Scheduled ${i}`,
      currency: "USD",
      hashKey: "k",
    }));
    await db.store.createMany({ data: stores });
    await db.storePayoutSettings.createMany({ data: stores.map((s) => ({ storeId: s.id, schedule: "weekly" })) });
    const due = await storesDueForPayout(db, new Date("2026-06-30T12:00:00Z"));
    expect(due.length).toBeGreaterThanOrEqual(MANY);
  });
});
