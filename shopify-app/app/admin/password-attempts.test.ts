import { createOwner, PASSWORD_ATTEMPTS_PER_ADDRESS } from "@trailmark/core/admin";
import type { Db } from "@trailmark/core/db";
import { createStore } from "@trailmark/core/stores";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provideDatabase } from "../db.server.ts";
import * as login from "../routes/admin_.login.tsx";
import { get, ORIGIN, PASSWORD, post } from "./test-support.ts";

// Password guesses are limited per client address as well as per account: one address cycling through many
// accounts' emails is stopped, without stopping anyone else.

let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  process.env.SHOPIFY_APP_URL = ORIGIN;
  database = await createTestDatabase();
  db = database.db;
  provideDatabase(database);
});
afterAll(async () => {
  await database?.destroy();
});

async function signIn(email: string, password: string, clientIp: string) {
  const page = await get<{ csrfToken: string }>(login.loader, "/admin/login");
  return post<{ ok: boolean; errors: Record<string, string> }>(
    login.action,
    "/admin/login",
    { intent: "password", email, password, next: "/admin" },
    {
      csrf: page.data.csrfToken,
      headers: { cookie: page.headers.get("set-cookie")!.split(";")[0]! },
      context: { clientIp },
    },
  );
}

describe("password sign-in per client address", () => {
  it("stops one address guessing across many accounts, and only that address", async () => {
    const { store } = await createStore(db, { platform: "custom", domain: "guesses.example.com" });
    await createOwner(db, store.id, "real-owner@guesses.example.com", PASSWORD);
    const statuses: number[] = [];
    for (let i = 0; i < PASSWORD_ATTEMPTS_PER_ADDRESS + 5; i++) {
      statuses.push((await signIn(`someone-${i}@guesses.example.com`, "a wrong password!", "203.0.113.66")).status);
    }
    expect(statuses.slice(0, PASSWORD_ATTEMPTS_PER_ADDRESS).every((s) => s === 401)).toBe(true);
    const refused = await signIn("real-owner@guesses.example.com", PASSWORD, "203.0.113.66");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(refused.data.errors.form).toMatch(/too many sign-in attempts/i);
    expect(statuses.slice(PASSWORD_ATTEMPTS_PER_ADDRESS)).toEqual([429, 429, 429, 429, 429]);
    // The owner, from their own address, still signs in.
    expect((await signIn("real-owner@guesses.example.com", PASSWORD, "198.51.100.23")).status).toBe(302);
  });
});
