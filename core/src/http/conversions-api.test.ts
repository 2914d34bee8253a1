import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client.ts";
import { type RunningServer, serveFetch } from "../server/node-http.ts";
import { createApiKey, LAST_USED_RESOLUTION_MS, listApiKeys, revokeApiKey } from "../stores/api-keys.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { seedProgram } from "../testing/fixtures.ts";
import { createConversionsHandler } from "./conversions-api.ts";

// When a key was last used, as the Settings page shows it: recorded by the conversions API over real HTTP, at
// most once a minute per key, so a busy integration does not write the key's row on every request.

let database: TestDatabase;
let server: RunningServer;
let program: Awaited<ReturnType<typeof seedProgram>>;
let clock = new Date("2026-04-01T09:00:00Z");
/** Every write to ApiKey the handler makes, counted through a proxy of the real client. */
let keyWrites = 0;

function countingKeyWrites(db: Db): Db {
  const apiKey = new Proxy(db.apiKey, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      if (["update", "updateMany", "upsert"].includes(String(prop))) {
        return (...args: unknown[]) => {
          keyWrites++;
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
  return new Proxy(db, { get: (target, prop) => (prop === "apiKey" ? apiKey : Reflect.get(target, prop, target)) });
}

beforeAll(async () => {
  database = await createTestDatabase();
  program = await seedProgram(database.db, { domain: "last-used.example.com" });
  const handler = createConversionsHandler({ db: countingKeyWrites(database.db), now: () => clock });
  server = await serveFetch((request) => handler(request), { port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await server?.close();
  await database?.destroy();
});

let seq = 0;
function report(key: string) {
  seq++;
  return fetch(`${server.url}/api/v1/conversions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({
      type: "sign_up",
      occurred_at: clock.toISOString(),
      visitor_id: `visitor-${seq}`,
      event_id: `signup-${seq}`,
    }),
  });
}

async function lastUsedOf(keyId: string): Promise<Date | null> {
  const keys = await listApiKeys(database.db, program.store.id);
  return keys.find((k) => k.id === keyId)!.lastUsedAt;
}

const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

describe("an API key's last use", () => {
  it("is recorded on the first authenticated request, then at most once a minute", async () => {
    const { id, key } = await createApiKey(database.db, program.store.id, "checkout server");
    expect(await lastUsedOf(id)).toBeNull();
    const start = clock;

    // Refused requests are not uses.
    expect((await report(`${key.slice(0, -1)}${key.endsWith("x") ? "y" : "x"}`)).status).toBe(401);
    expect(await lastUsedOf(id)).toBeNull();

    keyWrites = 0;
    expect((await report(key)).status).toBe(201);
    expect(await lastUsedOf(id)).toEqual(start);
    expect(keyWrites).toBe(1);

    // Twenty more requests within the minute: no write, the recorded time stays.
    for (let i = 1; i <= 20; i++) {
      clock = at(start, i * 2_500);
      expect((await report(key)).status).toBe(201);
    }
    expect(keyWrites).toBe(1);
    expect(await lastUsedOf(id)).toEqual(start);

    clock = at(start, LAST_USED_RESOLUTION_MS);
    expect((await report(key)).status).toBe(201);
    expect(keyWrites).toBe(2);
    expect(await lastUsedOf(id)).toEqual(clock);
  });

  it("is refreshed once when requests race past the minute", async () => {
    const { id, key } = await createApiKey(database.db, program.store.id, "racing server");
    const first = clock;
    expect((await report(key)).status).toBe(201);
    clock = at(first, 5 * LAST_USED_RESOLUTION_MS);
    const answers = await Promise.all(Array.from({ length: 8 }, () => report(key)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(await lastUsedOf(id)).toEqual(clock);
    // Each racer may have sent its guarded update, but only one row changed and the time is the same.
    const row = await database.db.apiKey.findUniqueOrThrow({ where: { id } });
    expect(row.lastUsedAt).toEqual(clock);
  });

  it("is kept per key, and a revoked key is neither accepted nor marked used", async () => {
    const a = await createApiKey(database.db, program.store.id, "key a");
    const b = await createApiKey(database.db, program.store.id, "key b");
    const base = at(clock, 10 * LAST_USED_RESOLUTION_MS);
    clock = base;
    expect((await report(a.key)).status).toBe(201);
    expect(await lastUsedOf(a.id)).toEqual(base);
    expect(await lastUsedOf(b.id)).toBeNull();

    await revokeApiKey(database.db, program.store.id, b.id);
    clock = at(base, 2 * LAST_USED_RESOLUTION_MS);
    expect((await report(b.key)).status).toBe(401);
    expect(await lastUsedOf(b.id)).toBeNull();
    expect(await lastUsedOf(a.id)).toEqual(base);
  });
});
