import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PayPalPayoutsProvider } from "./paypal-provider.ts";
import { type PayoutInstruction, PayoutProviderError } from "./provider.ts";
import { fakePayPal, TEST_PAYPAL_CLIENT } from "./testing/paypal-handlers.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function setup(options: { timeoutMs?: number } = {}) {
  const paypal = fakePayPal();
  server.use(...paypal.handlers);
  const provider = new PayPalPayoutsProvider({
    ...TEST_PAYPAL_CLIENT,
    baseUrl: paypal.baseUrl,
    timeoutMs: options.timeoutMs ?? 2000,
  });
  return { paypal, provider };
}

const payout = (overrides: Partial<PayoutInstruction> = {}): PayoutInstruction => ({
  payoutId: "po_1",
  storeId: "st_1",
  creatorId: "cr_1",
  amount: 4250,
  currency: "USD",
  method: "paypal",
  destination: { paypalEmail: "ada@example.com" },
  reference: null,
  description: "Shop commissions",
  ...overrides,
});

async function failure(promise: Promise<unknown>): Promise<PayoutProviderError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PayoutProviderError);
  return error as PayoutProviderError;
}

describe("PayPalPayoutsProvider", () => {
  it("creates a one-item batch with the key as sender_batch_id and polls the item until it is paid", async () => {
    const { paypal, provider } = setup();
    paypal.settleAfterPolls = 2;
    const sent = await provider.send(payout(), "tm_po_1_1");
    const batch = paypal.batches[0]!;
    expect(sent).toEqual({ status: "processing", reference: batch.payoutBatchId });
    expect(batch).toMatchObject({
      senderBatchId: "tm_po_1_1",
      requestId: "tm_po_1_1",
      receiver: "ada@example.com",
      amount: { value: "42.50", currency: "USD" },
      senderItemId: "po_1",
    });
    const withReference = payout({ reference: batch.payoutBatchId });
    expect(await provider.lookup("tm_po_1_1", withReference)).toEqual({
      status: "processing",
      reference: batch.payoutBatchId,
    });
    expect(await provider.lookup("tm_po_1_1", withReference)).toEqual({
      status: "paid",
      reference: batch.payoutBatchId,
    });
    // One token for all of it.
    expect(paypal.tokensIssued).toBe(1);
  });

  it("reports a declined item as failed with PayPal's reason", async () => {
    const { paypal, provider } = setup();
    paypal.outcomes["nobody@example.com"] = "FAILED";
    const sent = await provider.send(payout({ destination: { paypalEmail: "nobody@example.com" } }), "tm_po_1_1");
    const result = await provider.lookup("tm_po_1_1", payout({ reference: sent.reference }));
    expect(result).toEqual({
      status: "failed",
      reference: sent.reference,
      reason: "PayPal FAILED: RECEIVER_UNREGISTERED: Receiver is unregistered",
    });
  });

  it("keeps an unclaimed item processing (the receiver has 30 days to open an account)", async () => {
    const { paypal, provider } = setup();
    paypal.outcomes["new@example.com"] = "UNCLAIMED";
    const sent = await provider.send(payout({ destination: { paypalEmail: "new@example.com" } }), "tm_po_1_1");
    expect(await provider.lookup("tm_po_1_1", payout({ reference: sent.reference }))).toMatchObject({
      status: "processing",
    });
  });

  it("reports a refused batch (insufficient funds) as failed", async () => {
    const { paypal, provider } = setup();
    paypal.next.push({ reject: "INSUFFICIENT_FUNDS", message: "Sender does not have sufficient funds." });
    expect(await provider.send(payout(), "tm_po_1_1")).toEqual({
      status: "failed",
      reference: null,
      reason: "PayPal 422: INSUFFICIENT_FUNDS: Sender does not have sufficient funds.",
    });
    expect(paypal.batches).toHaveLength(0);
  });

  it("fails without calling PayPal when the creator has no PayPal email", async () => {
    const { paypal, provider } = setup();
    expect(await provider.send(payout({ destination: {} }), "tm_po_1_1")).toMatchObject({ status: "failed" });
    expect(paypal.requests).toEqual([]);
  });

  it("never pays twice when a call is retried with the same key: a replay, or PayPal's duplicate refusal", async () => {
    const { paypal, provider } = setup();
    const first = await provider.send(payout(), "tm_po_1_1");
    const replay = await provider.send(payout(), "tm_po_1_1");
    expect(replay.reference).toBe(first.reference);
    // Another client (no PayPal-Request-Id match) reusing the sender_batch_id is pointed to the original.
    const other = new PayPalPayoutsProvider({ ...TEST_PAYPAL_CLIENT, baseUrl: paypal.baseUrl });
    paypal.batches[0]!.requestId = "someone-else";
    const duplicate = await other.send(payout(), "tm_po_1_1");
    expect(duplicate).toMatchObject({ reference: first.reference });
    expect(paypal.batches).toHaveLength(1);
  });

  it("treats 5xx and timeouts as unknown outcomes, and asking again with the key finds the one batch", async () => {
    const { paypal, provider } = setup({ timeoutMs: 100 });
    paypal.next.push("error-before");
    expect(await failure(provider.send(payout(), "tm_po_1_1"))).toMatchObject({ retryable: true, status: 500 });
    expect(paypal.batches).toHaveLength(0);

    paypal.next.push("error-after");
    await failure(provider.send(payout(), "tm_po_1_1"));
    expect(paypal.batches).toHaveLength(1);
    // The answer was lost, so there is no batch id: the lookup asks again with the same sender_batch_id.
    const found = await provider.lookup("tm_po_1_1", payout());
    expect(found).toEqual({ status: "processing", reference: paypal.batches[0]!.payoutBatchId });
    expect(await provider.lookup("tm_po_1_1", payout({ reference: found!.reference }))).toMatchObject({
      status: "paid",
    });

    paypal.next.push("hang-after");
    const timeout = await failure(provider.send(payout({ payoutId: "po_2" }), "tm_po_2_1"));
    expect(timeout.message).toMatch(/timed out/);
    expect(await provider.lookup("tm_po_2_1", payout({ payoutId: "po_2" }))).toMatchObject({
      reference: paypal.batches[1]!.payoutBatchId,
    });
    expect(paypal.batches).toHaveLength(2);
  });

  it("gets a new token when PayPal refuses an expired one", async () => {
    const { paypal, provider } = setup();
    await provider.send(payout(), "tm_po_1_1");
    paypal.revokeTokensBefore = paypal.tokensIssued;
    const result = await provider.lookup("tm_po_1_1", payout({ reference: paypal.batches[0]!.payoutBatchId }));
    expect(result?.status).toBe("paid");
    expect(paypal.tokensIssued).toBe(2);
  });

  it("throws a retryable error when status polling fails, and a non-retryable one for a wrong secret", async () => {
    const { paypal, provider } = setup();
    const sent = await provider.send(payout(), "tm_po_1_1");
    paypal.pollErrors = 1;
    await failure(provider.lookup("tm_po_1_1", payout({ reference: sent.reference })));
    const wrong = new PayPalPayoutsProvider({ clientId: "x", clientSecret: "y", baseUrl: paypal.baseUrl });
    expect(await failure(wrong.send(payout(), "tm_po_9_1"))).toMatchObject({ retryable: false, status: 401 });
  });
});
