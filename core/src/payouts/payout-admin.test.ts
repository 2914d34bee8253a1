import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../orders/ingest-order.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { DAY, insertClick } from "../testing/fixtures.ts";
import { markPayoutPaid } from "./index.ts";
import { ManualPayoutProvider } from "./manual-provider.ts";
import {
  checkPayoutProviders,
  creatorPayoutSummaries,
  payNow,
  payoutBalances,
  payoutHistory,
  pendingCommissions,
  previewPayoutRun,
} from "./payout-admin.ts";
import { PayPalPayoutsProvider } from "./paypal-provider.ts";
import { StripeConnectProvider } from "./stripe-provider.ts";
import { fakePayPal, TEST_PAYPAL_CLIENT } from "./testing/paypal-handlers.ts";
import { AFTER_HOLD, addApprovedOrder, refundOrder, seedApproved } from "./testing/seed.ts";
import { fakeStripe } from "./testing/stripe-handlers.ts";

const server = setupServer();
let database: TestDatabase;
beforeAll(async () => {
  server.listen({ onUnhandledRequest: "error" });
  database = await createTestDatabase();
});
afterEach(() => server.resetHandlers());
afterAll(async () => {
  server.close();
  await database.destroy();
});

const manual = { providers: { manual: new ManualPayoutProvider() } };

describe("the admin's payout figures", () => {
  it("gives each pending commission its own approval date: the end of its campaign's holding period", async () => {
    const { db } = database;
    const program = await seedApproved(db, [
      { name: "Ada", orders: [10_000] },
      { name: "Ben", orders: [] },
    ]);
    const storeId = program.store.id;
    const [ada, ben] = program.creators;
    // Three more orders, not yet past the campaign's 30-day hold: two of Ada's (one in EUR), one of Ben's.
    const order = async (creator: number, total: number, placedAt: Date, currency = "USD") => {
      const click = await insertClick(db, program.links[creator]!, new Date(placedAt.getTime() - DAY));
      await ingestOrder(
        db,
        storeId,
        {
          externalId: `p-${storeId}-${placedAt.getTime()}-${creator}-${currency}`,
          status: "confirmed",
          currency,
          total,
          clickIds: [click],
          placedAt,
          sourceUpdatedAt: placedAt,
        },
        { now: placedAt },
      );
    };
    const first = new Date(AFTER_HOLD.getTime() + 2 * DAY);
    const second = new Date(AFTER_HOLD.getTime() + 9 * DAY);
    await order(0, 20_000, second);
    await order(0, 5_000, first);
    await order(0, 7_000, first, "EUR");
    await order(1, 3_000, second);

    const { commissions, more } = await pendingCommissions(db, storeId);
    expect(more).toBe(false);
    const approves = (d: Date) => new Date(d.getTime() + 30 * DAY);
    // The soonest first; each with its own date, its amount and currency.
    const dates = commissions.map((c) => c.approvesAt.getTime());
    expect(dates).toEqual([...dates].sort((x, y) => x - y));
    expect(
      commissions.map((c) => [c.creatorId === ada!.id ? "Ada" : "Ben", c.currency, c.amount, c.approvesAt]).sort(),
    ).toEqual(
      [
        ["Ada", "EUR", 700, approves(first)],
        ["Ada", "USD", 2_000, approves(second)],
        ["Ada", "USD", 500, approves(first)],
        ["Ben", "USD", 300, approves(second)],
      ].sort(),
    );
    // The balances agree: Ada's dollars become approved from the first date to the second.
    const balances = await payoutBalances(db, storeId, AFTER_HOLD);
    const adaUsd = balances.creators.find((b) => b.creatorId === ada!.id && b.currency === "USD")!;
    expect(adaUsd).toMatchObject({
      pending: 2_500,
      pendingCount: 2,
      nextApprovalAt: approves(first),
      lastApprovalAt: approves(second),
    });
    // One creator's, and a shorter list that says more are left out.
    expect((await pendingCommissions(db, storeId, { creatorId: ben!.id })).commissions).toHaveLength(1);
    expect(await pendingCommissions(db, storeId, { limit: 2 })).toMatchObject({ more: true });
    expect((await pendingCommissions(db, "st_other")).commissions).toEqual([]);
  });

  it("shows balances per creator and currency, carried over with their reason, never summed across currencies", async () => {
    const { db } = database;
    // Ada: 30.00 USD ready and 4.00 EUR (below the 25.00 minimum); Ben: 2.00 USD below the minimum.
    const program = await seedApproved(db, [
      { name: "Ada", orders: [30_000] },
      { name: "Ben", orders: [2_000] },
      { name: "Cy", orders: [4_000], currency: "EUR" },
    ]);
    const storeId = program.store.id;
    // A later order of Ada's, approved but still inside its holding period at AFTER_HOLD.
    await addApprovedOrder(db, program, 0, 10_000, new Date(AFTER_HOLD.getTime() + 10 * DAY));
    const now = AFTER_HOLD;
    const balances = await payoutBalances(db, storeId, now);
    const [ada, ben, cy] = program.creators;
    const of = (creatorId: string, currency: string) =>
      balances.creators.find((b) => b.creatorId === creatorId && b.currency === currency)!;
    expect(of(ada!.id, "USD")).toMatchObject({
      ready: 3_000,
      carriedOver: null,
      paid: 0,
      method: "manual",
      onHold: 1_000,
    });
    expect(of(ben!.id, "USD")).toMatchObject({ ready: 200, carriedOver: "below_minimum" });
    expect(of(cy!.id, "EUR")).toMatchObject({ ready: 400, carriedOver: "below_minimum" });
    expect(balances.totals).toEqual([
      expect.objectContaining({ currency: "EUR", ready: 400, payable: 0, belowMinimum: 400 }),
      expect.objectContaining({ currency: "USD", ready: 3_200, payable: 3_000, belowMinimum: 200 }),
    ]);

    // The preview is exactly the run Pay now makes.
    const preview = await previewPayoutRun(db, storeId, now);
    expect(preview.payouts).toEqual([
      expect.objectContaining({ creatorName: "Ada", amount: 3_000, currency: "USD", method: "manual" }),
    ]);
    expect(preview.carryOver.map((c) => [c.creatorName, c.balance, c.currency, c.reason]).sort()).toEqual([
      ["Ben", 200, "USD", "below_minimum"],
      ["Cy", 400, "EUR", "below_minimum"],
    ]);
    await expect(payNow(db, storeId, "stale", { ...manual, now: () => now })).rejects.toThrow(/changed since/);
    const run = await payNow(db, storeId, preview.fingerprint, { ...manual, now: () => now });
    expect(run.payouts.map((p) => [p.creatorId, p.amount, p.status])).toEqual([[ada!.id, 3_000, "processing"]]);
    expect((await payoutBalances(db, storeId, now)).totals.find((t) => t.currency === "USD")).toMatchObject({
      inPayouts: 3_000,
      payable: 0,
    });
    await markPayoutPaid(db, storeId, run.payouts[0]!.id, { now });
    expect((await creatorPayoutSummaries(db, storeId, { now }))[ada!.id]).toEqual({
      method: "manual",
      amounts: [{ currency: "USD", owed: 1_000, paid: 3_000 }],
    });
    const history = await payoutHistory(db, storeId);
    expect(history.settled[run.payouts[0]!.id]!.count).toBe(1);
    expect(history.settled[run.payouts[0]!.id]!.commissions[0]!.conversionId).toMatch(/\w+/);

    // A refund after payment: the clawback makes Ada's balance negative, carried over.
    await refundOrder(db, storeId, program.orders[0]!.externalId, 30_000, new Date(now.getTime() + DAY));
    const later = await payoutBalances(db, storeId, new Date(now.getTime() + 2 * DAY));
    expect(later.creators.find((b) => b.creatorId === ada!.id && b.currency === "USD")).toMatchObject({
      ready: -3_000,
      carriedOver: "negative_balance",
      paid: 3_000,
      onHold: 1_000,
    });
    expect(later.totals.find((t) => t.currency === "USD")).toMatchObject({ negative: -3_000, paid: 3_000 });
  });

  it("checks each provider's credentials against its API, and says which are not configured", async () => {
    const stripe = fakeStripe({ balance: { USD: 12_345 } });
    const paypal = fakePayPal();
    server.use(...stripe.handlers, ...paypal.handlers);
    const good = await checkPayoutProviders({
      stripe: new StripeConnectProvider({ secretKey: stripe.secretKey, timeoutMs: 2_000 }),
      paypal: new PayPalPayoutsProvider({ ...TEST_PAYPAL_CLIENT, baseUrl: paypal.baseUrl, timeoutMs: 2_000 }),
      manual: new ManualPayoutProvider(),
    });
    expect(good.map((c) => [c.method, c.ok])).toEqual([
      ["stripe", true],
      ["paypal", true],
      ["manual", true],
    ]);
    expect(good[0]!.message).toContain("12345 USD");
    const bad = await checkPayoutProviders({
      stripe: new StripeConnectProvider({ secretKey: "sk_test_wrong", timeoutMs: 2_000 }),
      paypal: new PayPalPayoutsProvider({
        clientId: "x",
        clientSecret: "y",
        baseUrl: paypal.baseUrl,
        timeoutMs: 2_000,
      }),
    });
    expect(bad.map((c) => [c.method, c.configured, c.ok])).toEqual([
      ["stripe", true, false],
      ["paypal", true, false],
      ["manual", false, null],
    ]);
    expect(bad[0]!.message).toMatch(/401.*Invalid API Key/);
    expect(bad[1]!.message).toMatch(/401.*Client Authentication failed|401.*invalid_client/);
  });
});
