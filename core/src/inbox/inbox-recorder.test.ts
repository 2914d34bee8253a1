import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import type { DeliveryInput } from "./inbox.ts";
import { createInboxRecorder } from "./inbox-recorder.ts";
import { type InboxWriter, openInboxWriter } from "./inbox-writer.ts";

// The receipt's group commit on the real drivers (SQLite or PostgreSQL as DATABASE_URL says).

let database: TestDatabase;
let writer: InboxWriter;
const groups: number[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const inner = openInboxWriter(database);
  writer = {
    write(rows) {
      groups.push(rows.length);
      return inner.write(rows);
    },
    close: () => inner.close(),
  };
  // A delivery the database refuses, as a constraint or a full disk would refuse one row.
  if (database.provider === "sqlite") {
    await database.db.$executeRawUnsafe(
      `CREATE TRIGGER poison BEFORE INSERT ON "WebhookInbox" WHEN NEW."topic" = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned delivery'); END`,
    );
  } else {
    await database.db.$executeRawUnsafe(
      `CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN IF NEW."topic" = 'poison' THEN RAISE EXCEPTION 'poisoned delivery'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
    );
    await database.db.$executeRawUnsafe(
      `CREATE TRIGGER poison BEFORE INSERT ON "WebhookInbox" FOR EACH ROW EXECUTE FUNCTION poison()`,
    );
  }
});

afterAll(async () => {
  await writer.close();
  await database.destroy();
});

function delivery(dedupKey: string, topic = "orders/create"): DeliveryInput {
  return {
    source: "shopify",
    storeId: null,
    topic,
    dedupKey,
    headers: { "x-shopify-topic": topic, "x-shopify-hmac-sha256": "secret-ish" },
    body: new TextEncoder().encode(`{"id":"${dedupKey}"}`),
  };
}

describe("inbox recorder", () => {
  it("commits deliveries received together in one group and reports duplicates, within the group too", async () => {
    const recorder = createInboxRecorder({ writer, provider: database.provider });
    groups.length = 0;
    const results = await Promise.all([
      recorder.record(delivery("g-1")),
      recorder.record(delivery("g-2")),
      recorder.record(delivery("g-1")),
      recorder.record(delivery("g-3")),
    ]);
    expect(groups).toEqual([4]);
    expect(results.map((r) => ("duplicate" in r ? r.duplicate : "error"))).toEqual([false, false, true, false]);
    expect(await recorder.record(delivery("g-2"))).toMatchObject({ duplicate: true });
    const rows = await database.db.webhookInbox.findMany({ where: { dedupKey: { startsWith: "g-" } } });
    expect(rows.map((r) => r.dedupKey).sort()).toEqual(["g-1", "g-2", "g-3"]);
    expect(JSON.parse(rows[0]!.headers)).toEqual({ "x-shopify-topic": "orders/create" });
  });

  it("retries a failed group one delivery at a time, so only the delivery that cannot be stored fails", async () => {
    const recorder = createInboxRecorder({ writer, provider: database.provider });
    groups.length = 0;
    const keys = ["p-1", "p-2", "p-bad", "p-3", "p-4"];
    const results = await Promise.all(
      keys.map((k) => recorder.record(delivery(k, k === "p-bad" ? "poison" : "orders/create"))),
    );
    expect(groups[0]).toBe(5);
    expect(groups.slice(1)).toEqual([1, 1, 1, 1, 1]);
    expect(results.map((r) => ("error" in r ? "failed" : "stored"))).toEqual([
      "stored",
      "stored",
      "failed",
      "stored",
      "stored",
    ]);
    expect(String((results[2] as { error: unknown }).error)).toContain("poisoned delivery");
    const stored = await database.db.webhookInbox.findMany({ where: { dedupKey: { startsWith: "p-" } } });
    expect(stored.map((r) => r.dedupKey).sort()).toEqual(["p-1", "p-2", "p-3", "p-4"]);
  });
});
