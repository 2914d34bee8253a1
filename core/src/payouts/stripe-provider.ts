// Stripe Connect through the official `stripe` SDK: transfers from the platform balance to a creator's
// connected account, and onboarding links for that account. The SDK uses fetch (so a stand-in such as msw
// can answer) and never retries by itself: an unknown outcome goes back to the payout store, which retries
// with the same key later. Every transfer carries an idempotency key. Stripe stores the first result of a
// key for at least 24 hours and replays it, so a retried transfer never moves money twice; the key is also
// the transfer_group, which lets lookup find the transfer by listing transfers with that group.

import Stripe from "stripe";
import {
  type HttpOptions,
  type PayoutInstruction,
  type PayoutProvider,
  PayoutProviderError,
  type ProviderResult,
} from "./provider.ts";

export interface StripeConfig extends HttpOptions {
  /** sk_live_… or sk_test_… (or a restricted key with transfer and account permissions). */
  secretKey: string;
  /** Where the API is (an origin: scheme, host and port); https://api.stripe.com unless a stand-in. */
  baseUrl?: string;
  /** Sent as Stripe-Version when set; otherwise the version the SDK is pinned to applies. */
  apiVersion?: string;
}

export const STRIPE_API = "https://api.stripe.com";

/** A connected account as the admin shows it. */
export interface StripeAccountStatus {
  accountId: string;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  /** The owner finished the onboarding form (Stripe may still need more). */
  detailsSubmitted: boolean;
  /** Transfers from the platform can be sent: what payouts need. */
  transfersActive: boolean;
  /** Fields Stripe needs now (past due first), e.g. "individual.verification.document". */
  requirementsDue: string[];
  /** Fields Stripe will need later. */
  requirementsLater: string[];
  /** Why the account is disabled, e.g. "requirements.past_due"; null when it is not. */
  disabledReason: string | null;
}
const DEFAULT_TIMEOUT_MS = 15_000;

type Form = Record<string, string | number | boolean | null | undefined | Record<string, string | number>>;

/** Stripe's form encoding: nested objects become key[sub]=value (as the SDK sends them). */
export function formEncode(params: Form): string {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (typeof value === "object") {
      for (const [sub, v] of Object.entries(value)) body.append(`${key}[${sub}]`, String(v));
    } else body.append(key, String(value));
  }
  return body.toString();
}

type StripeError = InstanceType<typeof Stripe.errors.StripeError>;

/** The SDK client for a config: fetch, no automatic retries, the config's timeout and API address. */
function createClient(config: StripeConfig): Stripe {
  const base = new URL(config.baseUrl ?? STRIPE_API);
  if (base.protocol !== "https:" && base.protocol !== "http:") throw new Error("Stripe's API URL must be http(s)");
  if (base.pathname.replace(/\/+$/, "") !== "" || base.search) {
    throw new Error(`Stripe's API URL must be an origin without a path, got ${config.baseUrl}`);
  }
  const protocol = base.protocol === "http:" ? "http" : "https";
  return new Stripe(config.secretKey, {
    // globalThis.fetch is looked up per request, not when the client is made (as the SDK would): a stand-in
    // installed later (msw) still answers.
    httpClient: Stripe.createFetchHttpClient(config.fetch ?? ((input, init) => globalThis.fetch(input, init))),
    host: base.hostname,
    port: base.port || (protocol === "https" ? 443 : 80),
    protocol,
    maxNetworkRetries: 0,
    timeout: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    telemetry: false,
    // The SDK's types name only the version it is pinned to; another version is the operator's choice.
    ...(config.apiVersion ? { apiVersion: config.apiVersion as Stripe.LatestApiVersion } : {}),
  });
}

export class StripeConnectProvider implements PayoutProvider {
  readonly method = "stripe" as const;
  readonly #stripe: Stripe;

  constructor(config: StripeConfig) {
    if (!config.secretKey) throw new Error("Stripe needs a secret key");
    this.#stripe = createClient(config);
  }

  async send(payout: PayoutInstruction, idempotencyKey: string): Promise<ProviderResult> {
    const destination = payout.destination.stripeAccountId;
    if (!destination)
      return { status: "failed", reference: null, reason: "the creator has no connected Stripe account" };
    try {
      const transfer = await this.#stripe.transfers.create(
        {
          amount: payout.amount,
          currency: payout.currency.toLowerCase(),
          destination,
          transfer_group: idempotencyKey,
          description: payout.description,
          metadata: { payout_id: payout.payoutId, store_id: payout.storeId, creator_id: payout.creatorId },
        },
        { idempotencyKey },
      );
      return transferResult(transfer);
    } catch (error) {
      // 409: Stripe is still working on a request with this key (or the transfer's objects are locked). That
      // is no failure: the first request may yet pay, so the payout stays processing under the same key.
      if (isStripeError(error) && error.statusCode === 409) return { status: "processing", reference: null };
      // A 4xx that is not about the key means Stripe refused the transfer (insufficient balance, account not
      // able to receive, bad key): nothing was moved.
      const status = refusedStatus(error, "Stripe transfer");
      return { status: "failed", reference: null, reason: `Stripe ${status}: ${describeStripeError(error)}` };
    }
  }

  async lookup(idempotencyKey: string): Promise<ProviderResult | null> {
    let transfers: Stripe.Transfer[];
    try {
      const page = await this.#stripe.transfers.list({ transfer_group: idempotencyKey, limit: 10 });
      transfers = page.data.filter((t) => t.transfer_group === idempotencyKey);
    } catch (error) {
      throw refused(error, "Stripe transfer lookup");
    }
    if (transfers.length === 0) return null;
    return transferResult(transfers[transfers.length - 1]!);
  }

  /** Creates an Express connected account for a creator (once per key) and returns its id. */
  async createConnectedAccount(input: {
    email?: string | null;
    country?: string;
    idempotencyKey: string;
    metadata?: Record<string, string>;
  }): Promise<string> {
    try {
      const account = await this.#stripe.accounts.create(
        {
          type: "express",
          email: input.email ?? undefined,
          country: input.country,
          capabilities: { transfers: { requested: true } },
          metadata: input.metadata,
        },
        { idempotencyKey: input.idempotencyKey },
      );
      if (!account.id) throw new PayoutProviderError("Stripe account creation: no account id in the answer");
      return account.id;
    } catch (error) {
      throw refused(error, "Stripe account creation");
    }
  }

  /** A single-use onboarding URL for the connected account (it expires within minutes: redirect at once). */
  async createOnboardingLink(
    accountId: string,
    urls: { refreshUrl: string; returnUrl: string },
  ): Promise<{ url: string; expiresAt: Date }> {
    try {
      const link = await this.#stripe.accountLinks.create({
        account: accountId,
        refresh_url: urls.refreshUrl,
        return_url: urls.returnUrl,
        type: "account_onboarding",
      });
      if (!link.url) throw new PayoutProviderError("Stripe account link: no URL in the answer");
      return { url: link.url, expiresAt: new Date((link.expires_at ?? 0) * 1000) };
    } catch (error) {
      throw refused(error, "Stripe account link");
    }
  }

  /**
   * GET /v1/accounts/:id: what the connected account can do and what Stripe still needs from its owner
   * (requirements.currently_due and past_due: due now; eventually_due: later).
   */
  async accountStatus(accountId: string): Promise<StripeAccountStatus> {
    try {
      const account = await this.#stripe.accounts.retrieve(accountId);
      const requirements = account.requirements;
      return {
        accountId: account.id,
        chargesEnabled: account.charges_enabled ?? false,
        payoutsEnabled: account.payouts_enabled ?? false,
        detailsSubmitted: account.details_submitted ?? false,
        transfersActive: account.capabilities?.transfers === "active",
        requirementsDue: [...new Set([...(requirements?.past_due ?? []), ...(requirements?.currently_due ?? [])])],
        requirementsLater: requirements?.eventually_due ?? [],
        disabledReason: requirements?.disabled_reason ?? null,
      };
    } catch (error) {
      throw refused(error, "Stripe account");
    }
  }

  /** GET /v1/balance: any secret key with access to the platform account can read it. */
  async checkCredentials(): Promise<string> {
    try {
      const balance = await this.#stripe.balance.retrieve();
      const available = balance.available.map((b) => `${b.amount} ${b.currency.toUpperCase()}`).join(", ");
      return `Stripe accepted the key${balance.livemode ? " (live mode)" : " (test mode)"}; available: ${available || "none"}`;
    } catch (error) {
      throw refused(error, "Stripe credentials");
    }
  }

  /** Whether the connected account can receive transfers (its transfers capability is active). */
  async accountCanReceiveTransfers(accountId: string): Promise<boolean> {
    try {
      const account = await this.#stripe.accounts.retrieve(accountId);
      return account.capabilities?.transfers === "active";
    } catch (error) {
      throw refused(error, "Stripe account");
    }
  }
}

function transferResult(transfer: Pick<Stripe.Transfer, "id" | "amount" | "amount_reversed" | "reversed">) {
  if (transfer.reversed && (transfer.amount_reversed ?? 0) >= transfer.amount) {
    return { status: "failed", reference: transfer.id, reason: "the transfer was reversed" } satisfies ProviderResult;
  }
  return { status: "paid", reference: transfer.id } satisfies ProviderResult;
}

function isStripeError(error: unknown): error is StripeError {
  return error instanceof Stripe.errors.StripeError;
}

/**
 * Throws a retryable PayoutProviderError when the outcome of the call is unknown: no answer (network
 * failure, timeout), a concurrent request with the same key (409), a key reused with other parameters
 * (idempotency_error: whatever the first request did stands), rate limiting (429), Stripe errors (5xx), an
 * answer that is not Stripe's. Otherwise Stripe refused the request: returns its HTTP status.
 */
function refusedStatus(error: unknown, what: string): number {
  if (error instanceof PayoutProviderError) throw error;
  if (!isStripeError(error)) {
    throw new PayoutProviderError(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  if (error instanceof Stripe.errors.StripeConnectionError) {
    const timedOut = /timeout/i.test(error.message);
    throw new PayoutProviderError(`${what} ${timedOut ? "timed out" : "failed"}: ${error.message}`, { cause: error });
  }
  const status = error.statusCode;
  if (
    status === undefined ||
    error.rawType === "idempotency_error" ||
    error instanceof Stripe.errors.StripeIdempotencyError ||
    status === 409 ||
    status === 429 ||
    status >= 500
  ) {
    throw new PayoutProviderError(`${what}: Stripe answered ${status ?? "?"} ${describeStripeError(error)}`, {
      status: status ?? null,
      cause: error,
    });
  }
  return status;
}

/** A refused request (see refusedStatus) as a PayoutProviderError that retrying will not fix. */
function refused(error: unknown, what: string): PayoutProviderError {
  const status = refusedStatus(error, what);
  return new PayoutProviderError(`${what}: ${status} ${describeStripeError(error)}`, {
    status,
    retryable: false,
    cause: error,
  });
}

function describeStripeError(error: unknown): string {
  if (!isStripeError(error)) return "";
  const code = error.decline_code ?? error.code;
  return [code, error.message].filter(Boolean).join(": ");
}
