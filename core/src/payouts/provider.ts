import { z } from "zod";

// One interface for every way of paying a creator. Providers only talk to the outside world; the payout
// store decides states, stores idempotency keys before calling send, and reconciles with lookup.

export const PAYOUT_METHODS = ["stripe", "paypal", "manual"] as const;
export const PayoutMethodSchema = z.enum(PAYOUT_METHODS);
export type PayoutMethod = z.infer<typeof PayoutMethodSchema>;

/** What a provider needs to send one payout. */
export interface PayoutInstruction {
  payoutId: string;
  storeId: string;
  creatorId: string;
  /** Minor units, > 0. */
  amount: number;
  /** ISO 4217, upper case. */
  currency: string;
  method: PayoutMethod;
  destination: {
    stripeAccountId?: string | null;
    paypalEmail?: string | null;
    details?: Record<string, string>;
  };
  /** The provider's reference from an earlier answer for the same key (a PayPal batch id), if any. */
  reference: string | null;
  description: string;
}

export interface ProviderResult {
  /** paid: the money left; processing: accepted, outcome later (lookup again); failed: nothing was paid. */
  status: "paid" | "processing" | "failed";
  reference: string | null;
  /** The provider's reason when failed. */
  reason?: string;
}

export interface PayoutProvider {
  readonly method: PayoutMethod;
  /**
   * Sends the payout under `idempotencyKey`. Sending again with the same key never pays twice: the
   * provider answers with the first attempt's outcome. Throws PayoutProviderError when the outcome is
   * unknown (timeout, 5xx, rate limit); the caller keeps the payout processing and reconciles later.
   */
  send(payout: PayoutInstruction, idempotencyKey: string): Promise<ProviderResult>;
  /**
   * What became of the payout sent under `idempotencyKey`; null when the provider has no record of it,
   * which means it was never sent (the caller may then send it with the same key). Throws
   * PayoutProviderError when the provider cannot be asked right now.
   */
  lookup(idempotencyKey: string, payout: PayoutInstruction): Promise<ProviderResult | null>;
  /**
   * Asks the provider whether its credentials work, moving no money; resolves with what it answered,
   * throws PayoutProviderError with the provider's reason when they do not.
   */
  checkCredentials(): Promise<string>;
}

export type PayoutProviders = Partial<Record<PayoutMethod, PayoutProvider>>;

/** The outcome of a call is unknown (network, timeout, 5xx, 429, 409): retry with the same key later. */
export class PayoutProviderError extends Error {
  readonly retryable: boolean;
  readonly status: number | null;
  constructor(message: string, options: { retryable?: boolean; status?: number | null; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PayoutProviderError";
    this.retryable = options.retryable ?? true;
    this.status = options.status ?? null;
  }
}

export interface HttpOptions {
  fetch?: typeof fetch;
  /** Per request; a request that takes longer is abandoned as an unknown outcome. */
  timeoutMs?: number;
}

/** fetch with a timeout; network failures and timeouts become retryable PayoutProviderErrors. */
export async function fetchWithTimeout(
  url: string,
  init: RequestInit,
  options: HttpOptions,
  what: string,
): Promise<Response> {
  const doFetch = options.fetch ?? globalThis.fetch;
  try {
    return await doFetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    const reason = name === "TimeoutError" || name === "AbortError" ? "timed out" : "failed";
    throw new PayoutProviderError(`${what} ${reason}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

export async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text.slice(0, 500) };
  }
}
