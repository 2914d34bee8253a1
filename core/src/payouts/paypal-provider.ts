// PayPal Payouts over REST with fetch: one batch per payout (one item), sender_batch_id = the payout's
// idempotency key. PayPal refuses a sender_batch_id used in the last 30 days (answering with a link to the
// original batch) and replays the response of a PayPal-Request-Id, so sending again with the same key
// never pays twice. Item outcomes arrive later: GET /v1/payments/payouts/{payout_batch_id} is polled.

import { formatMinorUnits } from "../shared/money.ts";
import {
  fetchWithTimeout,
  type HttpOptions,
  type PayoutInstruction,
  type PayoutProvider,
  PayoutProviderError,
  type ProviderResult,
  readJson,
} from "./provider.ts";

export interface PayPalConfig extends HttpOptions {
  clientId: string;
  clientSecret: string;
  /** https://api-m.paypal.com (live) or https://api-m.sandbox.paypal.com. */
  baseUrl?: string;
  emailSubject?: string;
}

export const PAYPAL_API = "https://api-m.paypal.com";

interface PayPalBatch {
  batch_header?: { payout_batch_id?: string; batch_status?: string };
  items?: {
    payout_item_id?: string;
    transaction_id?: string;
    transaction_status?: string;
    errors?: { name?: string; message?: string };
  }[];
}

interface PayPalError {
  name?: string;
  message?: string;
  details?: { field?: string; issue?: string }[];
  links?: { href?: string; rel?: string; method?: string }[];
}

const PAID = new Set(["SUCCESS"]);
const FAILED = new Set(["FAILED", "RETURNED", "BLOCKED", "REFUNDED", "REVERSED", "DENIED", "CANCELED"]);

export class PayPalPayoutsProvider implements PayoutProvider {
  readonly method = "paypal" as const;
  readonly #config: PayPalConfig;
  readonly #base: string;
  #token: { value: string; expiresAt: number } | null = null;

  constructor(config: PayPalConfig) {
    if (!config.clientId || !config.clientSecret) throw new Error("PayPal needs a client id and secret");
    this.#config = config;
    this.#base = (config.baseUrl ?? PAYPAL_API).replace(/\/$/, "");
  }

  /** A fresh OAuth token (client credentials): PayPal refuses wrong ones with 401 invalid_client. */
  async checkCredentials(): Promise<string> {
    this.#token = null;
    await this.#accessToken();
    return "PayPal issued an access token for these credentials";
  }

  async #accessToken(): Promise<string> {
    if (this.#token && this.#token.expiresAt > Date.now() + 60_000) return this.#token.value;
    const basic = Buffer.from(`${this.#config.clientId}:${this.#config.clientSecret}`).toString("base64");
    const response = await fetchWithTimeout(
      `${this.#base}/v1/oauth2/token`,
      {
        method: "POST",
        headers: { Authorization: `Basic ${basic}`, "Content-Type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials",
      },
      this.#config,
      "PayPal token",
    );
    const body = (await readJson(response)) as { access_token?: string; expires_in?: number } | null;
    if (!response.ok || !body?.access_token) {
      throw new PayoutProviderError(`PayPal token: ${response.status} ${describe(body)}`, {
        status: response.status,
        retryable: response.status >= 500 || response.status === 429,
      });
    }
    this.#token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 0) * 1000 };
    return body.access_token;
  }

  async #call(
    method: "GET" | "POST",
    path: string,
    what: string,
    options: { json?: unknown; requestId?: string } = {},
  ): Promise<{ status: number; body: unknown }> {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { Authorization: `Bearer ${await this.#accessToken()}` };
      if (options.json !== undefined) headers["Content-Type"] = "application/json";
      if (options.requestId) headers["PayPal-Request-Id"] = options.requestId;
      const response = await fetchWithTimeout(
        path.startsWith("http") ? path : `${this.#base}${path}`,
        { method, headers, body: options.json === undefined ? undefined : JSON.stringify(options.json) },
        this.#config,
        what,
      );
      const body = await readJson(response);
      if (response.status === 401 && attempt === 0) {
        this.#token = null; // expired or revoked: one fresh token
        continue;
      }
      if (response.status === 429 || response.status >= 500) {
        throw new PayoutProviderError(`${what}: PayPal answered ${response.status} ${describe(body)}`, {
          status: response.status,
        });
      }
      return { status: response.status, body };
    }
  }

  async send(payout: PayoutInstruction, idempotencyKey: string): Promise<ProviderResult> {
    const receiver = payout.destination.paypalEmail;
    if (!receiver) return { status: "failed", reference: null, reason: "the creator has no PayPal email" };
    const { status, body } = await this.#call("POST", "/v1/payments/payouts", "PayPal payout", {
      requestId: idempotencyKey,
      json: {
        sender_batch_header: {
          sender_batch_id: idempotencyKey,
          recipient_type: "EMAIL",
          email_subject: this.#config.emailSubject ?? "You have a payout",
        },
        items: [
          {
            recipient_type: "EMAIL",
            amount: { value: formatMinorUnits(payout.amount, payout.currency), currency: payout.currency },
            receiver,
            sender_item_id: payout.payoutId,
            note: payout.description,
          },
        ],
      },
    });
    if (status >= 200 && status < 300) return batchResult(body as PayPalBatch);
    const original = duplicateBatchId(body as PayPalError);
    if (original) return this.#batchStatus(original);
    return { status: "failed", reference: null, reason: `PayPal ${status}: ${describe(body)}` };
  }

  /**
   * With the batch id from an earlier answer: the batch's item status. Without one (the answer to the
   * first send was lost), PayPal has no search by sender_batch_id, so the lookup is the same request again:
   * PayPal refuses the duplicate sender_batch_id and points to the original batch, or, when the first
   * request never arrived, creates it now. So this never returns null, and never pays twice.
   */
  async lookup(idempotencyKey: string, payout: PayoutInstruction): Promise<ProviderResult | null> {
    if (payout.reference) return this.#batchStatus(payout.reference);
    return this.send(payout, idempotencyKey);
  }

  async #batchStatus(batchId: string): Promise<ProviderResult> {
    const { status, body } = await this.#call(
      "GET",
      `/v1/payments/payouts/${encodeURIComponent(batchId)}`,
      "PayPal payout status",
    );
    if (status !== 200) {
      throw new PayoutProviderError(`PayPal payout status: ${status} ${describe(body)}`, {
        status,
        retryable: false,
      });
    }
    return batchResult(body as PayPalBatch);
  }
}

function batchResult(batch: PayPalBatch): ProviderResult {
  const reference = batch.batch_header?.payout_batch_id ?? null;
  const item = batch.items?.[0];
  const itemStatus = item?.transaction_status;
  if (itemStatus && PAID.has(itemStatus)) return { status: "paid", reference };
  if (itemStatus && FAILED.has(itemStatus)) {
    const reason = [itemStatus, item?.errors?.name, item?.errors?.message].filter(Boolean).join(": ");
    return { status: "failed", reference, reason: `PayPal ${reason}` };
  }
  const batchStatus = batch.batch_header?.batch_status;
  if (!item && batchStatus && FAILED.has(batchStatus)) {
    return { status: "failed", reference, reason: `PayPal batch ${batchStatus}` };
  }
  // PENDING, UNCLAIMED (the receiver has no PayPal account yet), ONHOLD, NEW: not final.
  return { status: "processing", reference };
}

/** The original batch's id when PayPal refused a reused sender_batch_id. */
function duplicateBatchId(error: PayPalError | null): string | null {
  if (!error) return null;
  const duplicate = (error.details ?? []).some(
    (d) => /sender_batch_id/i.test(d.field ?? "") || /sender_batch_id/i.test(d.issue ?? ""),
  );
  if (!duplicate) return null;
  const link = (error.links ?? []).find((l) => /\/v1\/payments\/payouts\/[^/?]+/.test(l.href ?? ""));
  const match = link?.href ? /\/v1\/payments\/payouts\/([^/?]+)/.exec(link.href) : null;
  return match ? decodeURIComponent(match[1]!) : null;
}

function describe(body: unknown): string {
  const e = body as (PayPalError & { error?: string; error_description?: string }) | null;
  if (!e) return "";
  const issues = (e.details ?? []).map((d) => d.issue).filter(Boolean);
  return [e.name ?? e.error, e.message ?? e.error_description, ...issues].filter(Boolean).join(": ");
}
