import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, serveFetch } from "../server/node-http.ts";
import { createApiKey } from "../stores/api-keys.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { insertClick, seedProgram } from "../testing/fixtures.ts";
import { createConversionsHandler } from "./conversions-api.ts";

// One Idempotency-Key means one recorded conversion, however many requests race with it: the key is
// reserved before anything is recorded, so a request that loses the reservation records nothing.

let database: TestDatabase;
let server: RunningServer;
let program: Awaited<ReturnType<typeof seedProgram>>;
let apiKey: string;
let clickId: string;
const clock = new Date("2026-04-01T09:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase();
  program = await seedProgram(database.db, { domain: "idempotency.example.com" });
  apiKey = (await createApiKey(database.db, program.store.id, "checkout server")).key;
  clickId = await insertClick(database.db, program.links[0]!, new Date(clock.getTime() - 60_000));
  const handler = createConversionsHandler({ db: database.db, now: () => clock });
  server = await serveFetch((request) => handler(request), { port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await server?.close();
  await database?.destroy();
});

function purchase(key: string, orderId: string, value = "25.00") {
  return fetch(`${server.url}/api/v1/conversions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}`, "idempotency-key": key },
    body: JSON.stringify({
      type: "purchase",
      occurred_at: clock.toISOString(),
      click_id: clickId,
      order_id: orderId,
      value,
      currency: "USD",
    }),
  });
}

async function recorded(prefix: string) {
  const storeId = program.store.id;
  const orders = await database.db.order.count({ where: { storeId, externalId: { startsWith: prefix } } });
  const conversions = await database.db.conversion.findMany({
    where: { storeId, sourceKey: { startsWith: `order:${prefix}` } },
    select: { id: true },
  });
  const commissions = await database.db.commission.count({
    where: { storeId, conversionId: { in: conversions.map((c) => c.id) } },
  });
  return { orders, commissions };
}

describe("POST /api/v1/conversions with one Idempotency-Key", () => {
  it("records exactly one order when 100 requests with different bodies race", async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => purchase("race-key", `race-${i}`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
    expect(await recorded("race-")).toEqual({ orders: 1, commissions: 1 });
    const winner = await answers[statuses.indexOf(201)]!.json();
    // A later retry of the winner's exact body is the first answer again, replayed.
    const index = Number(
      (await database.db.order.findFirstOrThrow({ where: { externalId: { startsWith: "race-" } } })).externalId.slice(
        5,
      ),
    );
    const retry = await purchase("race-key", `race-${index}`);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await retry.json()).toEqual(winner);
  });

  it("answers identical concurrent retries once recorded and the rest 409 or the replay", async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => purchase("same-body", "same-1")));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(await recorded("same-")).toEqual({ orders: 1, commissions: 1 });
  });

  it("frees the key when the request failed, so the client can send it again", async () => {
    const bad = await fetch(`${server.url}/api/v1/conversions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}`, "idempotency-key": "retry-me" },
      body: JSON.stringify({
        type: "purchase",
        occurred_at: clock.toISOString(),
        click_id: clickId,
        order_id: "x".repeat(300),
      }),
    });
    expect(bad.status).toBe(400);
    expect((await purchase("retry-me", "retry-1")).status).toBe(201);
    expect(await recorded("retry-")).toEqual({ orders: 1, commissions: 1 });
  });
});
