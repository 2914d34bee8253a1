// Stripe Connect over its REST API with fetch (no SDK): transfers from the platform balance to a creator's
// connected account, and onboarding links for that account. Requests are form-encoded; every POST carries
// an Idempotency-Key. Stripe stores the first result of a key for at least 24 hours and replays it, so a
// retried transfer never moves money twice; the key is also the transfer_group, which lets lookup find the
// transfer by listing GET /v1/transfers?transfer_group=<key>.

import {
  fetchWithTimeout,
  type HttpOptions,
  type PayoutInstruction,
  type PayoutProvider,
  PayoutProviderError,
  type ProviderResult,
  readJson,
} from "./provider.ts";

export interface StripeConfig extends HttpOptions {
  /** sk_live_… or sk_test_… (or a restricted key with transfer and account permissions). */
  secretKey: string;
  baseUrl?: string;
  /** Sent as Stripe-Version when set; otherwise the account's default version applies. */
  apiVersion?: string;
}

export const STRIPE_API = "https://api.stripe.com";

type Form = Record<string, string | number | boolean | null | undefined | Record<string, string | number>>;

/** Stripe's form encoding: nested objects become key[sub]=value. */
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

interface StripeTransfer {
  id: string;
  amount: number;
  amount_reversed?: number;
  reversed?: boolean;
  currency: string;
  destination: string | null;
  transfer_group: string | null;
}

interface StripeErrorBody {
  error?: { type?: string; code?: string; decline_code?: string; message?: string };
}

export class StripeConnectProvider implements PayoutProvider {
  readonly method = "stripe" as const;
  readonly #config: StripeConfig;
  readonly #base: string;

  constructor(config: StripeConfig) {
    if (!config.secretKey) throw new Error("Stripe needs a secret key");
    this.#config = config;
    this.#base = (config.baseUrl ?? STRIPE_API).replace(/\/$/, "");
  }

  async #request(
    method: "GET" | "POST",
    path: string,
    what: string,
    options: { form?: Form; idempotencyKey?: string; query?: Record<string, string> } = {},
  ): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.#config.secretKey}` };
    if (this.#config.apiVersion) headers["Stripe-Version"] = this.#config.apiVersion;
    if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
    let body: string | undefined;
    if (options.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      body = formEncode(options.form);
    }
    const query = options.query ? `?${new URLSearchParams(options.query).toString()}` : "";
    const response = await fetchWithTimeout(
      `${this.#base}${path}${query}`,
      { method, headers, body },
      this.#config,
      what,
    );
    const json = await readJson(response);
    // Unknown outcomes: a concurrent request with the same key (409), a key reused with other parameters
    // (idempotency_error: whatever the first request did stands), rate limiting (429), Stripe errors (5xx).
    const idempotencyError = (json as StripeErrorBody | null)?.error?.type === "idempotency_error";
    if (idempotencyError || response.status === 409 || response.status === 429 || response.status >= 500) {
      throw new PayoutProviderError(`${what}: Stripe answered ${response.status} ${describeStripeError(json)}`, {
        status: response.status,
      });
    }
    return { status: response.status, body: json };
  }

  async send(payout: PayoutInstruction, idempotencyKey: string): Promise<ProviderResult> {
    const destination = payout.destination.stripeAccountId;
    if (!destination)
      return { status: "failed", reference: null, reason: "the creator has no connected Stripe account" };
    const { status, body } = await this.#request("POST", "/v1/transfers", "Stripe transfer", {
      idempotencyKey,
      form: {
        amount: payout.amount,
        currency: payout.currency.toLowerCase(),
        destination,
        transfer_group: idempotencyKey,
        description: payout.description,
        metadata: { payout_id: payout.payoutId, store_id: payout.storeId, creator_id: payout.creatorId },
      },
    });
    if (status >= 200 && status < 300) return transferResult(body as StripeTransfer);
    // A 4xx means Stripe refused the transfer (insufficient balance, account not able to receive, bad key):
    // nothing was moved.
    return { status: "failed", reference: null, reason: `Stripe ${status}: ${describeStripeError(body)}` };
  }

  async lookup(idempotencyKey: string): Promise<ProviderResult | null> {
    const { status, body } = await this.#request("GET", "/v1/transfers", "Stripe transfer lookup", {
      query: { transfer_group: idempotencyKey, limit: "10" },
    });
    if (status !== 200) {
      throw new PayoutProviderError(`Stripe transfer lookup: ${status} ${describeStripeError(body)}`, {
        status,
        retryable: false,
      });
    }
    const transfers = ((body as { data?: StripeTransfer[] } | null)?.data ?? []).filter(
      (t) => t.transfer_group === idempotencyKey,
    );
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
    const { status, body } = await this.#request("POST", "/v1/accounts", "Stripe account creation", {
      idempotencyKey: input.idempotencyKey,
      form: {
        type: "express",
        email: input.email ?? undefined,
        country: input.country,
        "capabilities[transfers][requested]": true,
        metadata: input.metadata,
      },
    });
    const id = (body as { id?: string } | null)?.id;
    if (status !== 200 || !id) {
      throw new PayoutProviderError(`Stripe account creation: ${status} ${describeStripeError(body)}`, {
        status,
        retryable: false,
      });
    }
    return id;
  }

  /** A single-use onboarding URL for the connected account (it expires within minutes: redirect at once). */
  async createOnboardingLink(
    accountId: string,
    urls: { refreshUrl: string; returnUrl: string },
  ): Promise<{ url: string; expiresAt: Date }> {
    const { status, body } = await this.#request("POST", "/v1/account_links", "Stripe account link", {
      form: {
        account: accountId,
        refresh_url: urls.refreshUrl,
        return_url: urls.returnUrl,
        type: "account_onboarding",
      },
    });
    const link = body as { url?: string; expires_at?: number } | null;
    if (status !== 200 || !link?.url) {
      throw new PayoutProviderError(`Stripe account link: ${status} ${describeStripeError(body)}`, {
        status,
        retryable: false,
      });
    }
    return { url: link.url, expiresAt: new Date((link.expires_at ?? 0) * 1000) };
  }

  /** Whether the connected account can receive transfers (its transfers capability is active). */
  async accountCanReceiveTransfers(accountId: string): Promise<boolean> {
    const { status, body } = await this.#request(
      "GET",
      `/v1/accounts/${encodeURIComponent(accountId)}`,
      "Stripe account",
    );
    if (status !== 200) {
      throw new PayoutProviderError(`Stripe account: ${status} ${describeStripeError(body)}`, {
        status,
        retryable: false,
      });
    }
    const account = body as { capabilities?: { transfers?: string } } | null;
    return account?.capabilities?.transfers === "active";
  }
}

function transferResult(transfer: StripeTransfer): ProviderResult {
  if (transfer.reversed && (transfer.amount_reversed ?? 0) >= transfer.amount) {
    return { status: "failed", reference: transfer.id, reason: "the transfer was reversed" };
  }
  return { status: "paid", reference: transfer.id };
}

function describeStripeError(body: unknown): string {
  const error = (body as StripeErrorBody | null)?.error;
  if (!error) return "";
  const code = error.decline_code ?? error.code;
  return [code, error.message].filter(Boolean).join(": ");
}
