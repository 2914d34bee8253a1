import { type AdminProgram, seedAdminProgram } from "@trailmark/core/admin";
import type { Db } from "@trailmark/core/db";
import { fakeStripe } from "@trailmark/core/payouts";
import { createTestDatabase, type TestDatabase } from "@trailmark/core/testing";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provideDatabase } from "../db.server.ts";
import * as creatorRoute from "../routes/admin.creators.$id.tsx";
import { get, ORIGIN, type Owner, post, signInOwner } from "./test-support.ts";

// Stripe Connect onboarding from the standalone admin: Stripe sends the browser back to the creator's page at
// PUBLIC_URL (the embedded shell's way back, inside the Shopify admin, is in server/payouts-embedded.e2e.test.ts).
// Stripe is msw answering its documented shapes.

const stripe = fakeStripe();
const msw = setupServer(...stripe.handlers);
let database: TestDatabase;
let db: Db;
let a: AdminProgram;
let b: AdminProgram;
let owner: Owner;
beforeAll(async () => {
  msw.listen({ onUnhandledRequest: "error" });
  process.env.SHOPIFY_APP_URL = ORIGIN;
  process.env.PUBLIC_URL = "https://track.example.com";
  process.env.STRIPE_SECRET_KEY = stripe.secretKey;
  database = await createTestDatabase();
  db = database.db;
  provideDatabase(database);
  a = await seedAdminProgram(db);
  b = await seedAdminProgram(db);
  owner = await signInOwner(db, a.store.id);
});
afterAll(async () => {
  delete process.env.PUBLIC_URL;
  delete process.env.STRIPE_SECRET_KEY;
  msw.close();
  await database.destroy();
});

type Page = { stripe: { configured: boolean; status: { requirementsDue: string[] } | null; error: string | null } };

describe("Stripe Connect onboarding in the standalone admin", () => {
  it("creates the account and a link back to the creator's page, then shows what Stripe still needs", async () => {
    const ada = a.creators[0]!;
    const path = `/admin/creators/${ada.id}`;
    const started = await post<{ ok: boolean; secret: string }>(
      creatorRoute.action,
      path,
      { intent: "stripeOnboard" },
      { owner, params: { id: ada.id } },
    );
    expect(started.status).toBe(200);
    const account = await db.creatorPayoutAccount.findFirstOrThrow({
      where: { storeId: a.store.id, creatorId: ada.id },
    });
    expect(account.method).toBe("stripe");
    expect(started.data.secret).toMatch(
      new RegExp(`^https://connect\\.stripe\\.com/setup/e/${account.stripeAccountId}/`),
    );
    expect(stripe.requests.find((r) => r.path === "/v1/account_links")!.form).toEqual({
      account: account.stripeAccountId,
      refresh_url: `https://track.example.com${path}?stripe=refresh`,
      return_url: `https://track.example.com${path}?stripe=return`,
      type: "account_onboarding",
    });
    const page = await get<Page>(creatorRoute.loader, `${path}?stripe=return`, { owner, params: { id: ada.id } });
    expect(page.status).toBe(200);
    expect(page.data.stripe).toMatchObject({ configured: true, error: null });
    expect(page.data.stripe.status!.requirementsDue).toContain("external_account");
  });

  it("never onboards another store's creator", async () => {
    const theirs = b.creators[0]!;
    const before = stripe.requests.length;
    const attempt = await post(
      creatorRoute.action,
      `/admin/creators/${theirs.id}`,
      { intent: "stripeOnboard" },
      { owner, params: { id: theirs.id } },
    );
    expect(attempt.status).toBe(404);
    expect(stripe.requests.length).toBe(before);
    expect(await db.creatorPayoutAccount.count({ where: { storeId: b.store.id } })).toBe(0);
  });
});
