import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type PayoutInstruction, PayoutProviderError } from "./provider.ts";
import { formEncode, StripeConnectProvider } from "./stripe-provider.ts";
import { fakeStripe } from "./testing/stripe-handlers.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function setup(options: { balance?: Record<string, number>; timeoutMs?: number } = {}) {
  const stripe = fakeStripe({ balance: options.balance });
  server.use(...stripe.handlers);
  const provider = new StripeConnectProvider({ secretKey: stripe.secretKey, timeoutMs: options.timeoutMs ?? 2000 });
  return { stripe, provider };
}

const payout = (overrides: Partial<PayoutInstruction> = {}): PayoutInstruction => ({
  payoutId: "po_1",
  storeId: "st_1",
  creatorId: "cr_1",
  amount: 4250,
  currency: "USD",
  method: "stripe",
  destination: { stripeAccountId: "acct_ada" },
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

describe("formEncode", () => {
  it("encodes nested objects the way Stripe reads them", () => {
    expect(formEncode({ amount: 5, metadata: { a: "x y" }, skip: undefined, none: null, ok: true })).toBe(
      "amount=5&metadata%5Ba%5D=x+y&ok=true",
    );
  });
});

describe("StripeConnectProvider", () => {
  it("transfers to the connected account with the key as Idempotency-Key and transfer_group", async () => {
    const { stripe, provider } = setup();
    const result = await provider.send(payout(), "tm_po_1_1");
    expect(result).toEqual({ status: "paid", reference: stripe.transfers[0]!.id });
    expect(stripe.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/transfers",
      idempotencyKey: "tm_po_1_1",
      form: {
        amount: "4250",
        currency: "usd",
        destination: "acct_ada",
        transfer_group: "tm_po_1_1",
        "metadata[payout_id]": "po_1",
      },
    });
  });

  it("reports a transfer Stripe still holds under the key (409 in progress) as processing, not failed", async () => {
    const { stripe, provider } = setup({ timeoutMs: 300 });
    stripe.hangMs = 1_000;
    stripe.next.push("held");
    await failure(provider.send(payout(), "tm_po_1_1"));
    expect(await provider.send(payout(), "tm_po_1_1")).toEqual({ status: "processing", reference: null });
    expect(stripe.transfers).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await provider.lookup("tm_po_1_1")).toEqual({ status: "paid", reference: stripe.transfers[0]!.id });
    expect(stripe.transfers).toHaveLength(1);
  });

  it("answers a retried call with the same key with the same transfer, and moves money once", async () => {
    const { stripe, provider } = setup();
    const first = await provider.send(payout(), "tm_po_1_1");
    const second = await provider.send(payout(), "tm_po_1_1");
    expect(second).toEqual(first);
    expect(stripe.transfers).toHaveLength(1);
  });

  it("reports a declined transfer as failed with Stripe's reason", async () => {
    const { stripe, provider } = setup({ balance: { usd: 1000 } });
    const result = await provider.send(payout(), "tm_po_1_1");
    expect(result.status).toBe("failed");
    expect(result.reason).toMatch(/balance_insufficient.*insufficient available funds/);
    expect(stripe.transfers).toHaveLength(0);
  });

  it("fails without calling Stripe when the creator has no connected account", async () => {
    const { stripe, provider } = setup();
    const result = await provider.send(payout({ destination: {} }), "tm_po_1_1");
    expect(result).toMatchObject({ status: "failed", reason: /no connected Stripe account/ });
    expect(stripe.requests).toEqual([]);
  });

  it("treats a 5xx as an unknown outcome, and the lookup tells whether the transfer was made", async () => {
    const { stripe, provider } = setup();
    stripe.next.push("error-before");
    const before = await failure(provider.send(payout(), "tm_po_1_1"));
    expect(before).toMatchObject({ retryable: true, status: 500 });
    expect(await provider.lookup("tm_po_1_1")).toBeNull();

    stripe.next.push("error-after");
    await failure(provider.send(payout({ payoutId: "po_2" }), "tm_po_2_1"));
    expect(await provider.lookup("tm_po_2_1")).toEqual({ status: "paid", reference: stripe.transfers[0]!.id });
    expect(stripe.transfers).toHaveLength(1);
  });

  it("treats a timeout as an unknown outcome; the lookup finds the transfer the lost answer was about", async () => {
    const { stripe, provider } = setup({ timeoutMs: 100 });
    stripe.next.push("hang-after");
    const error = await failure(provider.send(payout(), "tm_po_1_1"));
    expect(error.message).toMatch(/timed out/);
    expect(await provider.lookup("tm_po_1_1")).toEqual({ status: "paid", reference: stripe.transfers[0]!.id });
    // Sending again under the key replays the transfer instead of making a second one.
    expect(await provider.send(payout(), "tm_po_1_1")).toEqual({ status: "paid", reference: stripe.transfers[0]!.id });
    expect(stripe.transfers).toHaveLength(1);
  });

  it("treats a key reused with other parameters as an unknown outcome, never as a failure to pay again", async () => {
    const { stripe, provider } = setup();
    await provider.send(payout(), "tm_po_1_1");
    const error = await failure(provider.send(payout({ amount: 9999 }), "tm_po_1_1"));
    expect(error.message).toMatch(/same parameters/);
    expect(await provider.lookup("tm_po_1_1")).toMatchObject({ status: "paid" });
    expect(stripe.transfers).toHaveLength(1);
  });

  it("throws a retryable error when the lookup itself fails", async () => {
    const { stripe, provider } = setup();
    stripe.lookupErrors = 1;
    await failure(provider.lookup("tm_po_1_1"));
    expect(await provider.lookup("tm_po_1_1")).toBeNull();
  });

  it("reports a transfer reversed in full as failed", async () => {
    const { stripe, provider } = setup();
    await provider.send(payout(), "tm_po_1_1");
    Object.assign(stripe.transfers[0]!, { reversed: true, amount_reversed: 4250 });
    expect(await provider.lookup("tm_po_1_1")).toMatchObject({ status: "failed", reason: /reversed/ });
  });

  it("creates a connected account once per key and an onboarding link for it", async () => {
    const { stripe, provider } = setup();
    const id = await provider.createConnectedAccount({ email: "ada@example.com", idempotencyKey: "tm_acct_st_1_cr_1" });
    const again = await provider.createConnectedAccount({
      email: "ada@example.com",
      idempotencyKey: "tm_acct_st_1_cr_1",
    });
    expect(again).toBe(id);
    expect(stripe.accounts).toHaveLength(1);
    const link = await provider.createOnboardingLink(id, {
      refreshUrl: "https://app.example.com/refresh",
      returnUrl: "https://app.example.com/done",
    });
    expect(link.url).toMatch(/^https:\/\/connect\.stripe\.com\//);
    expect(link.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(await provider.accountCanReceiveTransfers(id)).toBe(false);
    stripe.accounts[0]!.transfersActive = true;
    expect(await provider.accountCanReceiveTransfers(id)).toBe(true);
  });

  it("sends Stripe's documented account and account link bodies, and reads the account's status", async () => {
    const { stripe, provider } = setup();
    const id = await provider.createConnectedAccount({
      email: "ada@example.com",
      idempotencyKey: "tm_acct_st_1_cr_1",
      metadata: { store_id: "st_1", creator_id: "cr_1" },
    });
    await provider.createOnboardingLink(id, {
      refreshUrl: "https://app.example.com/admin/creators/cr_1?stripe=refresh",
      returnUrl: "https://app.example.com/admin/creators/cr_1?stripe=return",
    });
    expect(stripe.requests.filter((r) => r.method === "POST")).toEqual([
      {
        method: "POST",
        path: "/v1/accounts",
        idempotencyKey: "tm_acct_st_1_cr_1",
        form: {
          type: "express",
          email: "ada@example.com",
          "capabilities[transfers][requested]": "true",
          "metadata[store_id]": "st_1",
          "metadata[creator_id]": "cr_1",
        },
      },
      {
        method: "POST",
        path: "/v1/account_links",
        idempotencyKey: null,
        form: {
          account: id,
          refresh_url: "https://app.example.com/admin/creators/cr_1?stripe=refresh",
          return_url: "https://app.example.com/admin/creators/cr_1?stripe=return",
          type: "account_onboarding",
        },
      },
    ]);
    // A new Express account: nothing enabled, the onboarding fields due.
    expect(await provider.accountStatus(id)).toEqual({
      accountId: id,
      chargesEnabled: false,
      payoutsEnabled: false,
      detailsSubmitted: false,
      transfersActive: false,
      requirementsDue: ["business_type", "external_account", "tos_acceptance.date", "tos_acceptance.ip"],
      requirementsLater: ["business_type", "external_account", "tos_acceptance.date", "tos_acceptance.ip"],
      disabledReason: "requirements.past_due",
    });
    Object.assign(stripe.accounts[0]!, {
      chargesEnabled: true,
      payoutsEnabled: true,
      detailsSubmitted: true,
      transfersActive: true,
      currentlyDue: [],
      pastDue: ["individual.verification.document"],
      eventuallyDue: ["individual.verification.document"],
      disabledReason: null,
    });
    expect(await provider.accountStatus(id)).toMatchObject({
      chargesEnabled: true,
      payoutsEnabled: true,
      transfersActive: true,
      requirementsDue: ["individual.verification.document"],
      disabledReason: null,
    });
    await expect(provider.accountStatus("acct_nope")).rejects.toThrow(/404 resource_missing: No such account/);
  });

  it("talks to the API at baseUrl (a stand-in's scheme, host and port) and rejects a base with a path", async () => {
    const stripe = fakeStripe({ baseUrl: "http://stripe.test:12111" });
    server.use(...stripe.handlers);
    const provider = new StripeConnectProvider({ secretKey: stripe.secretKey, baseUrl: "http://stripe.test:12111/" });
    expect(await provider.send(payout(), "tm_po_1_1")).toEqual({ status: "paid", reference: stripe.transfers[0]!.id });
    expect(await provider.lookup("tm_po_1_1")).toEqual({ status: "paid", reference: stripe.transfers[0]!.id });
    expect(() => new StripeConnectProvider({ secretKey: stripe.secretKey, baseUrl: "http://stripe.test/v1" })).toThrow(
      /without a path/,
    );
  });

  it("reports a wrong secret key as a failed transfer", async () => {
    const { stripe } = setup();
    const provider = new StripeConnectProvider({ secretKey: "sk_test_wrong" });
    expect(await provider.send(payout(), "tm_po_1_1")).toMatchObject({
      status: "failed",
      reason: /401.*Invalid API Key/,
    });
    expect(stripe.transfers).toHaveLength(0);
  });
});
