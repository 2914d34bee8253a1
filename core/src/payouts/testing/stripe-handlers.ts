import { delay, type HttpHandler, HttpResponse, http } from "msw";

// Stripe's REST API for msw, as far as payouts use it: transfers (with Idempotency-Key replay, params
// mismatch and in-flight conflicts, listing by transfer_group), Express accounts and account links. Every
// transfer made is kept in `transfers`, so a test can count how many times a creator was really paid.

export const TEST_STRIPE_KEY = "sk_test_trailmark";

/** What the next POST /v1/transfers does (consumed in order; "ok" when the queue is empty). */
export type TransferBehaviour =
  | "ok"
  /** 500 before anything happens: no transfer, nothing saved for the key. */
  | "error-before"
  /** The transfer is made, then the answer is a 500 (lost). */
  | "error-after"
  /** The transfer is made, then the answer never comes (the client times out). */
  | "hang-after"
  /** The request never gets an answer and nothing is made. */
  | "hang-before"
  /**
   * Stripe holds the request (for hangMs) with its key in flight, then makes the transfer: the client times
   * out, and a request with the same key meanwhile gets 409 "in progress".
   */
  | "held"
  | { decline: string; message: string; status?: number };

export interface FakeStripeTransfer {
  id: string;
  amount: number;
  currency: string;
  destination: string;
  transfer_group: string | null;
  description: string | null;
  metadata: Record<string, string>;
  idempotencyKey: string | null;
  reversed: boolean;
  amount_reversed: number;
}

/** A connected account: a new Express account has onboarding to do, as Stripe's do. */
export interface FakeStripeAccount {
  id: string;
  email: string | null;
  transfersActive: boolean;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  currentlyDue: string[];
  pastDue: string[];
  eventuallyDue: string[];
  disabledReason: string | null;
  idempotencyKey: string | null;
}

export interface FakeStripe {
  baseUrl: string;
  secretKey: string;
  handlers: HttpHandler[];
  transfers: FakeStripeTransfer[];
  accounts: FakeStripeAccount[];
  /** Queue of behaviours for the next transfer requests. */
  next: TransferBehaviour[];
  /** 500 for the next n transfer lookups (GET /v1/transfers). */
  lookupErrors: number;
  /** How long a hanging answer waits (longer than the client's timeout). */
  hangMs: number;
  /** Platform balance per currency; a transfer above it is declined with balance_insufficient. */
  balance: Record<string, number> | null;
  requests: { method: string; path: string; idempotencyKey: string | null; form: Record<string, string> }[];
  transfersTo(destination: string): FakeStripeTransfer[];
}

function stripeError(status: number, type: string, code: string | undefined, message: string) {
  return HttpResponse.json({ error: { type, code, message } }, { status });
}

export function fakeStripe(options: { baseUrl?: string; balance?: Record<string, number> } = {}): FakeStripe {
  const base = (options.baseUrl ?? "https://api.stripe.com").replace(/\/$/, "");
  let counter = 0;
  const saved = new Map<string, { params: string; status: number; body: unknown }>();
  const inFlight = new Set<string>();
  const state: FakeStripe = {
    baseUrl: base,
    secretKey: TEST_STRIPE_KEY,
    handlers: [],
    transfers: [],
    accounts: [],
    next: [],
    lookupErrors: 0,
    hangMs: 5_000,
    balance: options.balance ?? null,
    requests: [],
    transfersTo: (destination) => state.transfers.filter((t) => t.destination === destination),
  };
  const id = (prefix: string) => `${prefix}_${(++counter).toString(36).padStart(14, "0")}`;
  const authorized = (request: Request) => request.headers.get("authorization") === `Bearer ${state.secretKey}`;
  const readForm = async (request: Request) => Object.fromEntries(new URLSearchParams(await request.text()));

  /** Runs `create` once per idempotency key and replays its answer, as Stripe's idempotency layer does. */
  async function idempotent(
    request: Request,
    form: Record<string, string>,
    create: () => Promise<{ status: number; body: unknown; save: boolean; hang?: boolean }>,
    options: { holdMs?: number } = {},
  ) {
    const key = request.headers.get("idempotency-key");
    const params = JSON.stringify(Object.entries(form).sort());
    if (key) {
      const previous = saved.get(key);
      if (previous) {
        if (previous.params !== params) {
          return stripeError(
            400,
            "idempotency_error",
            undefined,
            "Keys for idempotent requests can only be used with the same parameters they were first used with.",
          );
        }
        return HttpResponse.json(previous.body as Record<string, unknown>, {
          status: previous.status,
          headers: { "Idempotent-Replayed": "true" },
        });
      }
      if (inFlight.has(key)) {
        return stripeError(
          409,
          "idempotency_error",
          undefined,
          "There is currently another in-progress request using this Stripe API key and idempotency key.",
        );
      }
      inFlight.add(key);
    }
    let result: Awaited<ReturnType<typeof create>>;
    try {
      if (options.holdMs) await delay(options.holdMs);
      result = await create();
      if (key && result.save) saved.set(key, { params, status: result.status, body: result.body });
    } finally {
      if (key) inFlight.delete(key);
    }
    // Stripe finished; the answer is lost on the way back.
    if (result.hang) await delay(state.hangMs);
    return HttpResponse.json(result.body as Record<string, unknown>, { status: result.status });
  }

  state.handlers = [
    // https://docs.stripe.com/api/balance/balance_retrieve
    http.get(`${base}/v1/balance`, ({ request }) => {
      if (!authorized(request)) {
        return stripeError(401, "invalid_request_error", undefined, "Invalid API Key provided: sk_test_********");
      }
      const balance = state.balance ?? { usd: 0 };
      return HttpResponse.json({
        object: "balance",
        available: Object.entries(balance).map(([currency, amount]) => ({
          amount,
          currency: currency.toLowerCase(),
          source_types: { card: amount },
        })),
        livemode: false,
        pending: [],
      });
    }),
    http.post(`${base}/v1/transfers`, async ({ request }) => {
      if (!authorized(request)) return stripeError(401, "invalid_request_error", undefined, "Invalid API Key provided");
      const form = await readForm(request);
      const key = request.headers.get("idempotency-key");
      state.requests.push({ method: "POST", path: "/v1/transfers", idempotencyKey: key, form });
      const behaviour = state.next.shift() ?? "ok";
      if (behaviour === "error-before") return stripeError(500, "api_error", undefined, "An unknown error occurred");
      if (behaviour === "hang-before") {
        await delay(state.hangMs);
        return stripeError(500, "api_error", undefined, "too late");
      }
      return idempotent(
        request,
        form,
        async () => {
          if (typeof behaviour === "object") {
            return {
              status: behaviour.status ?? 400,
              body: { error: { type: "invalid_request_error", code: behaviour.decline, message: behaviour.message } },
              save: true,
            };
          }
          const amount = Number(form.amount);
          const currency = form.currency ?? "";
          if (!Number.isInteger(amount) || amount <= 0 || !currency || !form.destination) {
            return {
              status: 400,
              body: { error: { type: "invalid_request_error", message: "Missing required param" } },
              save: true,
            };
          }
          if (state.balance) {
            const available = state.balance[currency] ?? 0;
            if (amount > available) {
              return {
                status: 400,
                body: {
                  error: {
                    type: "invalid_request_error",
                    code: "balance_insufficient",
                    message: "You have insufficient available funds in your Stripe account.",
                  },
                },
                save: true,
              };
            }
            state.balance[currency] = available - amount;
          }
          const metadata: Record<string, string> = {};
          for (const [k, v] of Object.entries(form)) {
            const m = /^metadata\[(.+)\]$/.exec(k);
            if (m) metadata[m[1]!] = v;
          }
          const transfer: FakeStripeTransfer = {
            id: id("tr"),
            amount,
            currency,
            destination: form.destination,
            transfer_group: form.transfer_group ?? null,
            description: form.description ?? null,
            metadata,
            idempotencyKey: key,
            reversed: false,
            amount_reversed: 0,
          };
          state.transfers.push(transfer);
          const body = { object: "transfer", ...transfer, idempotencyKey: undefined };
          if (behaviour === "error-after") {
            return {
              status: 500,
              body: { error: { type: "api_error", message: "An unknown error occurred" } },
              save: false,
            };
          }
          return { status: 200, body, save: true, hang: behaviour === "hang-after" };
        },
        { holdMs: behaviour === "held" ? state.hangMs : 0 },
      );
    }),
    http.get(`${base}/v1/transfers`, ({ request }) => {
      if (!authorized(request)) return stripeError(401, "invalid_request_error", undefined, "Invalid API Key provided");
      const url = new URL(request.url);
      state.requests.push({
        method: "GET",
        path: "/v1/transfers",
        idempotencyKey: null,
        form: Object.fromEntries(url.searchParams),
      });
      if (state.lookupErrors > 0) {
        state.lookupErrors--;
        return stripeError(500, "api_error", undefined, "An unknown error occurred");
      }
      const group = url.searchParams.get("transfer_group");
      const destination = url.searchParams.get("destination");
      const limit = Number(url.searchParams.get("limit") ?? 10);
      const data = state.transfers
        .filter(
          (t) =>
            (group === null || t.transfer_group === group) && (destination === null || t.destination === destination),
        )
        .reverse()
        .slice(0, limit)
        .map((t) => ({ object: "transfer", ...t, idempotencyKey: undefined }));
      return HttpResponse.json({ object: "list", url: "/v1/transfers", has_more: false, data });
    }),
    http.post(`${base}/v1/accounts`, async ({ request }) => {
      if (!authorized(request)) return stripeError(401, "invalid_request_error", undefined, "Invalid API Key provided");
      const form = await readForm(request);
      state.requests.push({
        method: "POST",
        path: "/v1/accounts",
        idempotencyKey: request.headers.get("idempotency-key"),
        form,
      });
      return idempotent(request, form, async () => {
        if (form.type !== "express" || form["capabilities[transfers][requested]"] !== "true") {
          return {
            status: 400,
            body: { error: { type: "invalid_request_error", message: "bad account params" } },
            save: true,
          };
        }
        const account: FakeStripeAccount = {
          id: id("acct"),
          email: form.email ?? null,
          transfersActive: false,
          chargesEnabled: false,
          payoutsEnabled: false,
          detailsSubmitted: false,
          currentlyDue: ["business_type", "external_account", "tos_acceptance.date", "tos_acceptance.ip"],
          pastDue: [],
          eventuallyDue: ["business_type", "external_account", "tos_acceptance.date", "tos_acceptance.ip"],
          disabledReason: "requirements.past_due",
          idempotencyKey: request.headers.get("idempotency-key"),
        };
        state.accounts.push(account);
        return {
          status: 200,
          body: { id: account.id, object: "account", type: "express", email: account.email },
          save: true,
        };
      });
    }),
    http.get(`${base}/v1/accounts/:id`, ({ request, params }) => {
      if (!authorized(request)) return stripeError(401, "invalid_request_error", undefined, "Invalid API Key provided");
      const account = state.accounts.find((a) => a.id === params.id);
      if (!account)
        return stripeError(404, "invalid_request_error", "resource_missing", `No such account: '${params.id}'`);
      state.requests.push({ method: "GET", path: `/v1/accounts/${account.id}`, idempotencyKey: null, form: {} });
      // https://docs.stripe.com/api/accounts/object
      return HttpResponse.json({
        id: account.id,
        object: "account",
        type: "express",
        email: account.email,
        charges_enabled: account.chargesEnabled,
        payouts_enabled: account.payoutsEnabled,
        details_submitted: account.detailsSubmitted,
        capabilities: { transfers: account.transfersActive ? "active" : "inactive" },
        requirements: {
          alternatives: [],
          current_deadline: null,
          currently_due: account.currentlyDue,
          disabled_reason: account.disabledReason,
          errors: [],
          eventually_due: account.eventuallyDue,
          past_due: account.pastDue,
          pending_verification: [],
        },
      });
    }),
    http.post(`${base}/v1/account_links`, async ({ request }) => {
      if (!authorized(request)) return stripeError(401, "invalid_request_error", undefined, "Invalid API Key provided");
      const form = await readForm(request);
      state.requests.push({ method: "POST", path: "/v1/account_links", idempotencyKey: null, form });
      if (!state.accounts.some((a) => a.id === form.account)) {
        return stripeError(400, "invalid_request_error", "resource_missing", `No such account: '${form.account}'`);
      }
      if (form.type !== "account_onboarding" || !form.refresh_url || !form.return_url) {
        return stripeError(400, "invalid_request_error", "parameter_missing", "Missing required param");
      }
      const created = Math.floor(Date.now() / 1000);
      return HttpResponse.json({
        object: "account_link",
        created,
        expires_at: created + 300,
        url: `https://connect.stripe.com/setup/e/${form.account}/${id("link")}`,
      });
    }),
  ];
  return state;
}
