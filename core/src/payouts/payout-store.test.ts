import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { DAY } from "../testing/fixtures.ts";
import {
  approvePayoutRun,
  cancelPayout,
  cancelPayoutRun,
  createPayoutRun,
  executePayout,
  executePayoutRun,
  getPayoutRun,
  listPayoutRuns,
  markPayoutPaid,
  minimumPayoutFor,
  type PayoutDeps,
  payoutItems,
  payoutRunCsv,
  reconcilePayouts,
  retryPayout,
  runScheduledPayouts,
  storesDueForPayout,
} from "./index.ts";
import { ManualPayoutProvider } from "./manual-provider.ts";
import {
  refreshStripeAccount,
  setCreatorPayoutMethod,
  startStripeOnboarding,
  updatePayoutSettings,
} from "./payout-settings.ts";
import { PayPalPayoutsProvider } from "./paypal-provider.ts";
import { StripeConnectProvider } from "./stripe-provider.ts";
import { fakePayPal, TEST_PAYPAL_CLIENT } from "./testing/paypal-handlers.ts";
import {
  AFTER_HOLD,
  addApprovedOrder,
  ledgerAgreesWithCommissions,
  refundOrder,
  seedApproved,
} from "./testing/seed.ts";
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

function providers(now: Date) {
  const stripe = fakeStripe();
  const paypal = fakePayPal();
  server.use(...stripe.handlers, ...paypal.handlers);
  const deps: PayoutDeps = {
    providers: {
      stripe: new StripeConnectProvider({ secretKey: stripe.secretKey, timeoutMs: 500 }),
      paypal: new PayPalPayoutsProvider({ ...TEST_PAYPAL_CLIENT, baseUrl: paypal.baseUrl, timeoutMs: 500 }),
      manual: new ManualPayoutProvider(),
    },
    now: () => now,
  };
  return { stripe, paypal, deps };
}

async function onboard(db: Db, deps: PayoutDeps, storeId: string, creatorId: string) {
  const { accountId } = await startStripeOnboarding(
    db,
    storeId,
    creatorId,
    deps.providers.stripe as StripeConnectProvider,
    {
      refreshUrl: "https://app.example.com/r",
      returnUrl: "https://app.example.com/d",
    },
  );
  return accountId;
}

async function expectLedgerBalanced(db: Db, storeId: string, campaignId: string) {
  const { ledger, expected, budgetUsed } = await ledgerAgreesWithCommissions(db, storeId, campaignId);
  expect(ledger).toEqual(expected);
  expect(budgetUsed).toBe(ledger.used);
  return ledger;
}

async function commissionsOf(db: Db, storeId: string, creatorId: string) {
  return db.commission.findMany({
    where: { storeId, creatorId },
    orderBy: [{ original: "asc" }, { createdAt: "asc" }],
  });
}

describe("payout runs", () => {
  it("pays each creator's approved commissions once in one payout and carries a small balance over", async () => {
    const { db } = database;
    const { stripe, deps } = providers(AFTER_HOLD);
    const program = await seedApproved(
      db,
      [
        { name: "Ada", email: "ada@example.com", orders: [30_000, 20_000] },
        { name: "Ben", orders: [20_000] },
      ],
      { budgetCap: 100_000 },
    );
    const [ada, ben] = program.creators;
    const account = await onboard(db, deps, program.store.id, ada!.id);
    await setCreatorPayoutMethod(db, program.store.id, ben!.id, { method: "paypal", paypalEmail: "ben@example.com" });
    expect(await expectLedgerBalanced(db, program.store.id, program.campaign.id)).toEqual({
      reserved: 0,
      released: 7000,
      paid: 0,
      used: 7000,
      remaining: 93_000,
    });

    const draft = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD });
    expect(draft.status).toBe("draft");
    expect(draft.payouts.map((p) => [p.creatorId, p.amount, p.currency, p.method, p.status])).toEqual([
      [ada!.id, 5000, "USD", "stripe", "draft"],
    ]);
    expect(draft.carryOver).toEqual([{ creatorId: ben!.id, currency: "USD", balance: 2000, reason: "below_minimum" }]);
    const claimed = await commissionsOf(db, program.store.id, ada!.id);
    expect(claimed.map((c) => [c.status, c.payoutId])).toEqual([
      ["approved", draft.payouts[0]!.id],
      ["approved", draft.payouts[0]!.id],
    ]);
    const items = await payoutItems(db, program.store.id, draft.payouts[0]!.id);
    expect(items.map((i) => i.amount).sort()).toEqual([2000, 3000]);

    await expect(executePayoutRun(db, program.store.id, draft.id, deps)).rejects.toMatchObject({ code: "conflict" });
    await approvePayoutRun(db, program.store.id, draft.id, { now: AFTER_HOLD });
    const done = await executePayoutRun(db, program.store.id, draft.id, deps);
    expect(done.status).toBe("completed");
    expect(done.payouts[0]).toMatchObject({
      status: "paid",
      idempotencyKey: `tm_${draft.payouts[0]!.id}_1`,
      providerReference: stripe.transfers[0]!.id,
    });
    expect(stripe.transfers.map((t) => [t.destination, t.amount, t.currency])).toEqual([[account, 5000, "usd"]]);
    const paid = await commissionsOf(db, program.store.id, ada!.id);
    for (const c of paid) {
      expect(c).toMatchObject({ status: "paid", payoutId: draft.payouts[0]!.id, paidAt: AFTER_HOLD });
      expect(Number(c.paidAmount)).toBe(Number(c.amount));
    }
    expect(await expectLedgerBalanced(db, program.store.id, program.campaign.id)).toEqual({
      reserved: 0,
      released: 2000,
      paid: 5000,
      used: 7000,
      remaining: 93_000,
    });

    // Nothing is paid twice: the next run finds nothing new for Ada and still carries Ben over.
    const next = await createPayoutRun(db, program.store.id, { now: new Date(AFTER_HOLD.getTime() + DAY) });
    expect(next.status).toBe("completed");
    expect(next.payouts).toEqual([]);
    expect(next.carryOver.map((c) => c.creatorId)).toEqual([ben!.id]);
  });

  it("nets a refund after payment against the creator's next payout and settles the clawback", async () => {
    const { db } = database;
    const { stripe, deps } = providers(AFTER_HOLD);
    const program = await seedApproved(db, [{ name: "Ada", orders: [30_000, 20_000] }]);
    const ada = program.creators[0]!;
    await onboard(db, deps, program.store.id, ada.id);
    const first = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD, approve: true });
    await executePayoutRun(db, program.store.id, first.id, deps);

    // The 300.00 order is refunded in full after the payout: a 30.00 clawback waits for the next payout.
    const refundAt = new Date(AFTER_HOLD.getTime() + 2 * DAY);
    await refundOrder(db, program.store.id, program.orders[0]!.externalId, 30_000, refundAt);
    const adjustments = await db.commissionAdjustment.findMany({ where: { storeId: program.store.id } });
    expect(adjustments.map((a) => [Number(a.amount), a.payoutId])).toEqual([[-3000, null]]);
    await expectLedgerBalanced(db, program.store.id, program.campaign.id);

    // Not enough new earnings to cover it: the negative balance carries over, nothing is paid.
    const small = await addApprovedOrder(db, program, 0, 20_000, refundAt);
    const carried = await createPayoutRun(db, program.store.id, { now: small.approvedAt, approve: true });
    expect(carried.payouts).toEqual([]);
    expect(carried.carryOver).toEqual([
      { creatorId: ada.id, currency: "USD", balance: -1000, reason: "negative_balance" },
    ]);

    const big = await addApprovedOrder(db, program, 0, 80_000, small.approvedAt);
    const second = await createPayoutRun(db, program.store.id, { now: big.approvedAt, approve: true });
    expect(second.payouts.map((p) => p.amount)).toEqual([2000 + 8000 - 3000]);
    const items = await payoutItems(db, program.store.id, second.payouts[0]!.id);
    expect(items.filter((i) => i.kind === "adjustment").map((i) => i.amount)).toEqual([-3000]);
    await executePayoutRun(db, program.store.id, second.id, { ...deps, now: () => big.approvedAt });
    expect(stripe.transfers.map((t) => t.amount)).toEqual([5000, 7000]);
    const settled = await db.commissionAdjustment.findMany({ where: { storeId: program.store.id } });
    expect(settled.map((a) => a.payoutId)).toEqual([second.payouts[0]!.id]);
    await expectLedgerBalanced(db, program.store.id, program.campaign.id);
  });

  it("fails a declined payout with the provider's reason, then pays it once on retry under a new key", async () => {
    const { db } = database;
    const { stripe, deps } = providers(AFTER_HOLD);
    const program = await seedApproved(db, [{ name: "Ada", orders: [50_000] }]);
    await onboard(db, deps, program.store.id, program.creators[0]!.id);
    stripe.balance = { usd: 100 };
    const run = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD, approve: true });
    const failed = await executePayoutRun(db, program.store.id, run.id, deps);
    expect(failed.status).toBe("approved");
    expect(failed.payouts[0]).toMatchObject({ status: "failed", failureReason: /balance_insufficient/ });
    // Still claimed, still approved: nothing else can pay these commissions meanwhile.
    const commissions = await commissionsOf(db, program.store.id, program.creators[0]!.id);
    expect(commissions.map((c) => [c.status, c.payoutId])).toEqual([["approved", run.payouts[0]!.id]]);
    expect((await createPayoutRun(db, program.store.id, { now: AFTER_HOLD })).payouts).toEqual([]);

    stripe.balance = { usd: 1_000_000 };
    const retried = await retryPayout(db, program.store.id, run.payouts[0]!.id, deps);
    expect(retried).toMatchObject({ status: "paid", attempt: 2, idempotencyKey: `tm_${run.payouts[0]!.id}_2` });
    expect(stripe.transfers).toHaveLength(1);
    await expect(retryPayout(db, program.store.id, run.payouts[0]!.id, deps)).rejects.toMatchObject({
      code: "conflict",
    });
    expect((await getPayoutRun(db, program.store.id, run.id)).status).toBe("completed");
  });

  it("gives a cancelled payout's commissions back to the next run, and refuses to cancel a sent one", async () => {
    const { db } = database;
    const { deps } = providers(AFTER_HOLD);
    const program = await seedApproved(db, [
      { name: "Ada", orders: [50_000] },
      { name: "Ben", orders: [40_000] },
    ]);
    for (const c of program.creators) await onboard(db, deps, program.store.id, c.id);
    const run = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD });
    const adaPayout = run.payouts.find((p) => p.creatorId === program.creators[0]!.id);
    const benPayout = run.payouts.find((p) => p.creatorId === program.creators[1]!.id);
    await cancelPayout(db, program.store.id, adaPayout!.id, { now: AFTER_HOLD });
    const back = await commissionsOf(db, program.store.id, program.creators[0]!.id);
    expect(back.map((c) => [c.status, c.payoutId])).toEqual([["approved", null]]);

    await approvePayoutRun(db, program.store.id, run.id, { now: AFTER_HOLD });
    await executePayout(db, program.store.id, benPayout!.id, deps);
    await expect(cancelPayout(db, program.store.id, benPayout!.id)).rejects.toMatchObject({ code: "conflict" });
    await expect(cancelPayoutRun(db, program.store.id, run.id)).rejects.toMatchObject({ code: "conflict" });
    expect((await getPayoutRun(db, program.store.id, run.id)).status).toBe("completed");

    const next = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD });
    expect(next.payouts.map((p) => [p.creatorId, p.amount])).toEqual([[program.creators[0]!.id, 5000]]);
    const cancelled = await cancelPayoutRun(db, program.store.id, next.id, { now: AFTER_HOLD });
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.payouts.map((p) => p.status)).toEqual(["cancelled"]);
    const last = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD });
    expect(last.payouts).toHaveLength(1);
    // A run whose every payout was cancelled one by one is cancelled too.
    await cancelPayout(db, program.store.id, last.payouts[0]!.id, { now: AFTER_HOLD });
    expect((await getPayoutRun(db, program.store.id, last.id)).status).toBe("cancelled");
  });

  it("drops commissions refunded before the payout is sent, and claws back a refund that lands while it is in flight", async () => {
    const { db } = database;
    const { paypal, deps } = providers(AFTER_HOLD);
    const program = await seedApproved(db, [{ name: "Ada", orders: [30_000, 40_000, 50_000] }]);
    await setCreatorPayoutMethod(db, program.store.id, program.creators[0]!.id, {
      method: "paypal",
      paypalEmail: "ada@example.com",
    });
    const run = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD, approve: true });
    expect(run.payouts[0]!.amount).toBe(12_000);

    // Before sending: the 300.00 order is refunded in full.
    await refundOrder(db, program.store.id, program.orders[0]!.externalId, 30_000, AFTER_HOLD);
    const sent = await executePayout(db, program.store.id, run.payouts[0]!.id, deps);
    expect(sent).toMatchObject({ status: "processing", amount: 9000 });
    expect(paypal.batches.map((b) => b.amount)).toEqual([{ value: "90.00", currency: "USD" }]);
    const [reversed] = await commissionsOf(db, program.store.id, program.creators[0]!.id);
    expect(reversed).toMatchObject({ status: "reversed", payoutId: null });

    // While PayPal processes it: a quarter of the 400.00 order is refunded.
    await refundOrder(db, program.store.id, program.orders[1]!.externalId, 10_000, AFTER_HOLD);
    const summary = await reconcilePayouts(db, deps, { storeId: program.store.id });
    expect(summary).toEqual({ checked: 1, paid: 1, failed: 0, processing: 0, skipped: 0 });
    const commissions = await commissionsOf(db, program.store.id, program.creators[0]!.id);
    expect(commissions.map((c) => [c.status, Number(c.amount), Number(c.paidAmount)])).toEqual([
      ["reversed", 0, 0],
      ["paid", 3000, 4000],
      ["paid", 5000, 5000],
    ]);
    const adjustments = await db.commissionAdjustment.findMany({ where: { storeId: program.store.id } });
    expect(adjustments.map((a) => [Number(a.amount), a.payoutId])).toEqual([[-1000, null]]);
    await expectLedgerBalanced(db, program.store.id, program.campaign.id);
  });

  it("polls PayPal until each item is paid or declined", async () => {
    const { db } = database;
    const { paypal, deps } = providers(AFTER_HOLD);
    paypal.settleAfterPolls = 2;
    paypal.outcomes["ben@example.com"] = "FAILED";
    const program = await seedApproved(db, [
      { name: "Ada", orders: [50_000] },
      { name: "Ben", orders: [40_000] },
    ]);
    await updatePayoutSettings(db, program.store.id, { provider: "paypal", autoApprove: true });
    await setCreatorPayoutMethod(db, program.store.id, program.creators[0]!.id, {
      method: "paypal",
      paypalEmail: "ada@example.com",
    });
    await setCreatorPayoutMethod(db, program.store.id, program.creators[1]!.id, {
      method: "paypal",
      paypalEmail: "ben@example.com",
    });
    const run = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD });
    expect(run.status).toBe("approved");
    const sent = await executePayoutRun(db, program.store.id, run.id, deps);
    expect(sent.payouts.map((p) => p.status)).toEqual(["processing", "processing"]);
    expect(await reconcilePayouts(db, deps, { storeId: program.store.id })).toMatchObject({ processing: 2 });
    expect(await reconcilePayouts(db, deps, { storeId: program.store.id })).toMatchObject({ paid: 1, failed: 1 });
    const after = await getPayoutRun(db, program.store.id, run.id);
    const byCreator = (i: number) => after.payouts.find((p) => p.creatorId === program.creators[i]!.id)!;
    expect([byCreator(0), byCreator(1)].map((p) => [p.status, p.failureReason])).toEqual([
      ["paid", null],
      ["failed", "PayPal FAILED: RECEIVER_UNREGISTERED: Receiver is unregistered"],
    ]);
    expect(paypal.batches).toHaveLength(2);
  });

  it("exports a manual run as CSV and settles it when the merchant marks it paid", async () => {
    const { db } = database;
    const { deps } = providers(AFTER_HOLD);
    const program = await seedApproved(db, [
      { name: 'Ada, "the" creator', email: "ada@example.com", orders: [50_000] },
    ]);
    await setCreatorPayoutMethod(db, program.store.id, program.creators[0]!.id, {
      method: "manual",
      details: { iban: "DE89 3704 0044 0532 0130 00", name: "=Ada" },
    });
    const run = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD, approve: true });
    const payoutId = run.payouts[0]!.id;
    const sent = await executePayoutRun(db, program.store.id, run.id, deps);
    expect(sent.payouts[0]!.status).toBe("processing");
    const csv = await payoutRunCsv(db, run.id);
    expect(csv.split("\r\n")).toEqual([
      "payout_id,run_id,creator_id,creator_name,creator_email,amount,currency,method,method_details,status,reference",
      `${payoutId},${run.id},${program.creators[0]!.id},"Ada, ""the"" creator",ada@example.com,50.00,USD,manual,iban: DE89 3704 0044 0532 0130 00; name: =Ada,processing,`,
      "",
    ]);
    await expect(payoutRunCsv(db, run.id, "st_other")).rejects.toMatchObject({ code: "not_found" });
    // Reconciliation leaves manual payouts alone until the merchant says they are paid.
    expect(await reconcilePayouts(db, deps, { storeId: program.store.id })).toMatchObject({ processing: 1 });
    await expect(markPayoutPaid(db, program.store.id, "po_nope")).rejects.toMatchObject({ code: "not_found" });
    const paid = await markPayoutPaid(db, program.store.id, payoutId, { reference: "bank-123", now: AFTER_HOLD });
    expect(paid).toMatchObject({ status: "paid", providerReference: "bank-123" });
    expect((await commissionsOf(db, program.store.id, program.creators[0]!.id))[0]).toMatchObject({ status: "paid" });
    expect((await getPayoutRun(db, program.store.id, run.id)).status).toBe("completed");
    await expectLedgerBalanced(db, program.store.id, program.campaign.id);
  });

  it("lets the merchant cancel a manual payout handed over but not paid", async () => {
    const { db } = database;
    const { deps } = providers(AFTER_HOLD);
    const program = await seedApproved(db, [{ name: "Ada", orders: [50_000] }]);
    const run = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD, approve: true });
    const sent = await executePayoutRun(db, program.store.id, run.id, deps);
    expect(sent.payouts[0]!.status).toBe("processing");
    await cancelPayout(db, program.store.id, run.payouts[0]!.id, { now: AFTER_HOLD });
    expect((await getPayoutRun(db, program.store.id, run.id)).status).toBe("cancelled");
    const [commission] = await commissionsOf(db, program.store.id, program.creators[0]!.id);
    expect(commission).toMatchObject({ status: "approved", payoutId: null });
    await expect(markPayoutPaid(db, program.store.id, run.payouts[0]!.id)).rejects.toMatchObject({ code: "conflict" });
  });

  it("never puts a commission in two payouts when runs are created concurrently", async () => {
    const { db } = database;
    const program = await seedApproved(db, [
      { name: "Ada", orders: [50_000, 30_000] },
      { name: "Ben", orders: [40_000] },
      { name: "Cy", orders: [60_000] },
    ]);
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => createPayoutRun(db, program.store.id, { now: AFTER_HOLD })),
    );
    const payoutIds = runs.flatMap((r) => r.payouts.map((p) => p.id));
    expect(payoutIds).toHaveLength(3);
    const items = await db.payoutItem.findMany({ where: { storeId: program.store.id, payoutId: { in: payoutIds } } });
    const ids = items.map((i) => i.commissionId);
    expect(new Set(ids).size).toBe(4);
    expect(ids).toHaveLength(4);
  });

  it("pays a creator one payout per currency, never summing currencies", async () => {
    const { db } = database;
    const { stripe, deps } = providers(AFTER_HOLD);
    const program = await seedApproved(db, [{ name: "Ada", orders: [50_000] }]);
    await addApprovedOrder(db, program, 0, 40_000, new Date(AFTER_HOLD.getTime() - 40 * DAY), "EUR");
    await onboard(db, deps, program.store.id, program.creators[0]!.id);
    const run = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD, approve: true });
    expect(run.payouts.map((p) => [p.currency, p.amount]).sort()).toEqual([
      ["EUR", 4000],
      ["USD", 5000],
    ]);
    expect(run.totals).toEqual([
      { currency: "EUR", amount: 4000, count: 1 },
      { currency: "USD", amount: 5000, count: 1 },
    ]);
    await executePayoutRun(db, program.store.id, run.id, deps);
    expect(stripe.transfers.map((t) => [t.currency, t.amount]).sort()).toEqual([
      ["eur", 4000],
      ["usd", 5000],
    ]);
  });

  it("keeps a transfer Stripe holds in flight (409 in progress) processing, and pays it once", async () => {
    const { db } = database;
    const { stripe, deps } = providers(AFTER_HOLD);
    stripe.hangMs = 2_000;
    const program = await seedApproved(db, [{ name: "Ada", orders: [50_000] }]);
    await onboard(db, deps, program.store.id, program.creators[0]!.id);
    const run = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD, approve: true });
    const payoutId = run.payouts[0]!.id;
    stripe.next.push("held");
    expect(await executePayout(db, program.store.id, payoutId, deps)).toMatchObject({ status: "processing" });
    // While Stripe holds the first request, every reconcile finds no transfer and is told "in progress".
    for (let i = 0; i < 7; i++) {
      expect(await reconcilePayouts(db, deps, { storeId: program.store.id })).toMatchObject({ processing: 1 });
    }
    const held = await getPayoutRun(db, program.store.id, run.id);
    expect(held.payouts[0]).toMatchObject({ status: "processing", idempotencyKey: `tm_${payoutId}_1` });
    // A merchant cannot send it again under a new key while it may still be paid.
    await expect(retryPayout(db, program.store.id, payoutId, deps)).rejects.toMatchObject({ code: "conflict" });
    await new Promise((r) => setTimeout(r, stripe.hangMs + 200));
    expect(await reconcilePayouts(db, deps, { storeId: program.store.id })).toMatchObject({ paid: 1 });
    expect(stripe.transfers).toHaveLength(1);
    const posts = stripe.requests.filter((r) => r.method === "POST" && r.path === "/v1/transfers");
    expect(new Set(posts.map((r) => r.idempotencyKey))).toEqual(new Set([`tm_${payoutId}_1`]));
  });

  it("keeps sending under the same key while the provider fails before receiving it, and never gives up on its own", async () => {
    const { db } = database;
    const { stripe, deps } = providers(AFTER_HOLD);
    const program = await seedApproved(db, [{ name: "Ada", orders: [50_000] }]);
    await onboard(db, deps, program.store.id, program.creators[0]!.id);
    const run = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD, approve: true });
    const payoutId = run.payouts[0]!.id;
    stripe.next.push(...Array.from({ length: 8 }, () => "error-before" as const));
    expect(await executePayout(db, program.store.id, payoutId, deps)).toMatchObject({
      status: "processing",
      lastError: /Stripe answered 500/,
    });
    for (let i = 0; i < 7; i++) {
      expect(await reconcilePayouts(db, deps, { storeId: program.store.id })).toMatchObject({ processing: 1 });
    }
    expect(await reconcilePayouts(db, deps, { storeId: program.store.id })).toMatchObject({ paid: 1 });
    expect((await getPayoutRun(db, program.store.id, run.id)).payouts[0]).toMatchObject({
      idempotencyKey: `tm_${payoutId}_1`,
    });
    expect(stripe.transfers).toHaveLength(1);
  });

  it("retries a payout failed without the provider's word under its first key, so a late transfer is found", async () => {
    const { db } = database;
    const { stripe, deps } = providers(AFTER_HOLD);
    const program = await seedApproved(db, [{ name: "Ada", orders: [50_000] }]);
    await onboard(db, deps, program.store.id, program.creators[0]!.id);
    const run = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD, approve: true });
    const payoutId = run.payouts[0]!.id;
    stripe.next.push("hang-after");
    expect(await executePayout(db, program.store.id, payoutId, deps)).toMatchObject({ status: "processing" });
    // As an older version did after five provider errors: failed "not sent" with no answer from Stripe.
    await db.payout.update({
      where: { id: payoutId },
      data: { status: "failed", failureReason: "not sent: the provider failed 5 times", failureConfirmed: false },
    });
    const retried = await retryPayout(db, program.store.id, payoutId, deps);
    expect(retried).toMatchObject({ status: "paid", attempt: 1, idempotencyKey: `tm_${payoutId}_1` });
    expect(stripe.transfers).toHaveLength(1);
  });

  it("keeps a payout processing while its provider cannot be reached, and pays it once when it can", async () => {
    const { db } = database;
    const { stripe, deps } = providers(AFTER_HOLD);
    const program = await seedApproved(db, [{ name: "Ada", orders: [50_000] }]);
    await onboard(db, deps, program.store.id, program.creators[0]!.id);
    const run = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD, approve: true });
    stripe.next.push("hang-after");
    stripe.lookupErrors = 1;
    const sent = await executePayoutRun(db, program.store.id, run.id, deps);
    expect(sent.payouts[0]).toMatchObject({ status: "processing", lastError: /timed out/ });
    expect(await reconcilePayouts(db, deps)).toMatchObject({ processing: 1 });
    expect(await reconcilePayouts(db, deps)).toMatchObject({ paid: 1 });
    expect(stripe.transfers).toHaveLength(1);
    expect(stripe.requests.filter((r) => r.method === "POST" && r.path === "/v1/transfers")).toHaveLength(1);
  });

  it("refuses to send without a configured provider, and leaves the payout approved", async () => {
    const { db } = database;
    const program = await seedApproved(db, [{ name: "Ada", orders: [50_000] }]);
    await setCreatorPayoutMethod(db, program.store.id, program.creators[0]!.id, {
      method: "paypal",
      paypalEmail: "ada@example.com",
    });
    const run = await createPayoutRun(db, program.store.id, { now: AFTER_HOLD, approve: true });
    await expect(
      executePayoutRun(db, program.store.id, run.id, { providers: { manual: new ManualPayoutProvider() } }),
    ).rejects.toMatchObject({ code: "invalid", message: /no paypal payout provider/ });
    expect((await getPayoutRun(db, program.store.id, run.id)).payouts[0]!.status).toBe("approved");
  });

  it("onboards a creator to Stripe Connect once and records when the account can receive transfers", async () => {
    const { db } = database;
    const { stripe, deps } = providers(AFTER_HOLD);
    const program = await seedApproved(db, [{ name: "Ada", email: "ada@example.com", orders: [] }]);
    const creatorId = program.creators[0]!.id;
    const first = await onboard(db, deps, program.store.id, creatorId);
    const second = await onboard(db, deps, program.store.id, creatorId);
    expect(second).toBe(first);
    expect(stripe.accounts).toHaveLength(1);
    const stripeProvider = deps.providers.stripe as StripeConnectProvider;
    expect((await refreshStripeAccount(db, program.store.id, creatorId, stripeProvider)).stripeReady).toBe(false);
    stripe.accounts[0]!.transfersActive = true;
    expect(await refreshStripeAccount(db, program.store.id, creatorId, stripeProvider)).toMatchObject({
      method: "stripe",
      stripeAccountId: first,
      stripeReady: true,
    });
  });

  it("uses the store's minimum in its own currency and the same major units in others", async () => {
    expect(minimumPayoutFor({ currency: "USD", minimumPayout: 2500 }, "USD")).toBe(2500);
    expect(minimumPayoutFor({ currency: "USD", minimumPayout: 2500 }, "EUR")).toBe(2500);
    expect(minimumPayoutFor({ currency: "USD", minimumPayout: 2500 }, "JPY")).toBe(25);
    expect(minimumPayoutFor({ currency: "JPY", minimumPayout: 3000 }, "USD")).toBe(300_000);
  });
});

describe("scheduled payout runs", () => {
  it("makes one run per store and period, and sends it at once with automatic approval", async () => {
    const { db } = database;
    // Mon 2026-12-07 08:00 UTC.
    const monday = new Date("2026-12-07T08:00:00.000Z");
    const { stripe, deps } = providers(monday);
    const program = await seedApproved(db, [{ name: "Ada", orders: [50_000] }]);
    await onboard(db, deps, program.store.id, program.creators[0]!.id);
    const manual = await seedApproved(db, [{ name: "Zed", orders: [50_000] }]);
    await updatePayoutSettings(db, program.store.id, { schedule: "weekly", autoApprove: true, provider: "stripe" });
    void manual;

    expect((await storesDueForPayout(db, monday)).map((s) => s.storeId)).toContain(program.store.id);
    const [first, ...others] = await runScheduledPayouts(db, deps);
    expect(others.filter((r) => r.storeId === program.store.id)).toEqual([]);
    expect(first).toMatchObject({ storeId: program.store.id, trigger: "scheduled", periodKey: "weekly:2026-12-07" });
    expect(first!.status).toBe("completed");
    expect(stripe.transfers).toHaveLength(1);

    // Later the same week: not due; two workers ticking at once still make one run.
    const wednesday = new Date("2026-12-09T08:00:00.000Z");
    expect((await storesDueForPayout(db, wednesday)).map((s) => s.storeId)).not.toContain(program.store.id);
    const nextMonday = new Date("2026-12-14T00:00:01.000Z");
    const later = { ...deps, now: () => nextMonday };
    await Promise.all([runScheduledPayouts(db, later), runScheduledPayouts(db, later)]);
    const runs = await listPayoutRuns(db, program.store.id);
    expect(runs.map((r) => r.periodKey)).toEqual(["weekly:2026-12-14", "weekly:2026-12-07"]);
    expect(stripe.transfers).toHaveLength(1);
  });
});
