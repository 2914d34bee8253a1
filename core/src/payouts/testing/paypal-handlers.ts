import { delay, type HttpHandler, HttpResponse, http } from "msw";

// PayPal's OAuth token and Payouts API for msw: batches keyed by sender_batch_id (a reused id is refused with
// a link to the original, a reused PayPal-Request-Id replays), items that settle after a number of status
// polls, and the ways it fails. `batches` holds every batch made, so a test can count payments.

export const TEST_PAYPAL_CLIENT = { clientId: "AYpaypal-client", clientSecret: "EKpaypal-secret" };

export type PayPalItemOutcome = "SUCCESS" | "FAILED" | "UNCLAIMED" | "RETURNED" | "BLOCKED";

/** What the next POST /v1/payments/payouts does ("ok" when the queue is empty). */
export type PayoutBehaviour =
  | "ok"
  | "error-before"
  | "error-after"
  | "hang-after"
  | { reject: string; message: string; status?: number };

export interface FakePayPalBatch {
  payoutBatchId: string;
  senderBatchId: string;
  requestId: string | null;
  receiver: string;
  amount: { value: string; currency: string };
  senderItemId: string;
  itemId: string;
  /** Status polls so far; the item reaches its outcome after `settleAfterPolls`. */
  polls: number;
  outcome: PayPalItemOutcome;
}

export interface FakePayPal {
  baseUrl: string;
  handlers: HttpHandler[];
  batches: FakePayPalBatch[];
  next: PayoutBehaviour[];
  /** The final status of an item, by receiver email (default SUCCESS). */
  outcomes: Record<string, PayPalItemOutcome>;
  settleAfterPolls: number;
  hangMs: number;
  tokensIssued: number;
  /** Tokens issued before this are refused with 401 (as if expired). */
  revokeTokensBefore: number;
  /** 500 for the next n status polls. */
  pollErrors: number;
  requests: { method: string; path: string; requestId: string | null }[];
  batchesTo(receiver: string): FakePayPalBatch[];
}

const ITEM_ERRORS: Record<string, { name: string; message: string }> = {
  FAILED: { name: "RECEIVER_UNREGISTERED", message: "Receiver is unregistered" },
  RETURNED: { name: "RECEIVER_UNCONFIRMED", message: "Receiver's account is not confirmed" },
  BLOCKED: { name: "RECEIVER_ACCOUNT_LOCKED", message: "Receiver's account is locked or inactive" },
  UNCLAIMED: { name: "RECEIVER_UNREGISTERED", message: "Receiver is unregistered" },
};

export function fakePayPal(options: { baseUrl?: string } = {}): FakePayPal {
  const base = (options.baseUrl ?? "https://api-m.sandbox.paypal.com").replace(/\/$/, "");
  let counter = 0;
  const code = () => (++counter).toString(36).toUpperCase().padStart(13, "X");
  const state: FakePayPal = {
    baseUrl: base,
    handlers: [],
    batches: [],
    next: [],
    outcomes: {},
    settleAfterPolls: 1,
    hangMs: 5_000,
    tokensIssued: 0,
    revokeTokensBefore: 0,
    pollErrors: 0,
    requests: [],
    batchesTo: (receiver) => state.batches.filter((b) => b.receiver === receiver),
  };
  const tokenNumber = (request: Request): number | null => {
    const m = /^Bearer token-(\d+)$/.exec(request.headers.get("authorization") ?? "");
    return m ? Number(m[1]) : null;
  };
  const unauthorized = (request: Request) => {
    const n = tokenNumber(request);
    return n === null || n <= state.revokeTokensBefore || n > state.tokensIssued;
  };
  const authError = () =>
    HttpResponse.json(
      { error: "invalid_token", error_description: "Token signature verification failed" },
      { status: 401 },
    );
  const itemStatus = (b: FakePayPalBatch) => (b.polls >= state.settleAfterPolls ? b.outcome : "PENDING");
  const batchBody = (b: FakePayPalBatch, withItems: boolean) => {
    const status = itemStatus(b);
    return {
      batch_header: {
        payout_batch_id: b.payoutBatchId,
        batch_status: status === "PENDING" ? "PENDING" : "SUCCESS",
        sender_batch_header: { sender_batch_id: b.senderBatchId, recipient_type: "EMAIL" },
        amount: b.amount,
      },
      ...(withItems
        ? {
            items: [
              {
                payout_item_id: b.itemId,
                transaction_id: status === "SUCCESS" ? `TX${b.itemId}` : undefined,
                transaction_status: status,
                payout_batch_id: b.payoutBatchId,
                payout_item: {
                  recipient_type: "EMAIL",
                  amount: b.amount,
                  receiver: b.receiver,
                  sender_item_id: b.senderItemId,
                },
                ...(ITEM_ERRORS[status] && status !== "SUCCESS" ? { errors: ITEM_ERRORS[status] } : {}),
              },
            ],
          }
        : {}),
      links: [{ href: `${base}/v1/payments/payouts/${b.payoutBatchId}`, rel: "self", method: "GET" }],
    };
  };

  state.handlers = [
    http.post(`${base}/v1/oauth2/token`, async ({ request }) => {
      const expected = `Basic ${Buffer.from(`${TEST_PAYPAL_CLIENT.clientId}:${TEST_PAYPAL_CLIENT.clientSecret}`).toString("base64")}`;
      const body = new URLSearchParams(await request.text());
      state.requests.push({ method: "POST", path: "/v1/oauth2/token", requestId: null });
      if (request.headers.get("authorization") !== expected || body.get("grant_type") !== "client_credentials") {
        return HttpResponse.json(
          { error: "invalid_client", error_description: "Client Authentication failed" },
          { status: 401 },
        );
      }
      state.tokensIssued++;
      return HttpResponse.json({
        scope: "https://uri.paypal.com/services/payments/payouts",
        access_token: `token-${state.tokensIssued}`,
        token_type: "Bearer",
        app_id: "APP-80W284485P519543T",
        expires_in: 32_400,
      });
    }),
    http.post(`${base}/v1/payments/payouts`, async ({ request }) => {
      const requestId = request.headers.get("paypal-request-id");
      state.requests.push({ method: "POST", path: "/v1/payments/payouts", requestId });
      if (unauthorized(request)) return authError();
      const behaviour = state.next.shift() ?? "ok";
      if (behaviour === "error-before") {
        return HttpResponse.json(
          { name: "INTERNAL_SERVER_ERROR", message: "An internal server error occurred." },
          { status: 500 },
        );
      }
      const body = (await request.json()) as {
        sender_batch_header?: { sender_batch_id?: string };
        items?: { amount?: { value: string; currency: string }; receiver?: string; sender_item_id?: string }[];
      };
      const senderBatchId = body.sender_batch_header?.sender_batch_id;
      const item = body.items?.[0];
      if (!senderBatchId || !item?.amount || !item.receiver || body.items?.length !== 1) {
        return HttpResponse.json(
          {
            name: "VALIDATION_ERROR",
            message: "Invalid request - see details",
            details: [{ field: "items", issue: "invalid" }],
          },
          { status: 400 },
        );
      }
      const existing = state.batches.find((b) => b.senderBatchId === senderBatchId);
      if (existing) {
        if (requestId && existing.requestId === requestId)
          return HttpResponse.json(batchBody(existing, false), { status: 201 });
        return HttpResponse.json(
          {
            name: "USER_BUSINESS_ERROR",
            message: "User business error.",
            debug_id: "f8f8f8f8f8f8f",
            details: [
              { field: "SENDER_BATCH_ID", location: "body", issue: "Batch with given sender_batch_id already exists" },
            ],
            links: [{ href: `${base}/v1/payments/payouts/${existing.payoutBatchId}`, rel: "self", method: "GET" }],
          },
          { status: 400 },
        );
      }
      if (typeof behaviour === "object") {
        return HttpResponse.json(
          { name: behaviour.reject, message: behaviour.message },
          { status: behaviour.status ?? 422 },
        );
      }
      const batch: FakePayPalBatch = {
        payoutBatchId: code(),
        senderBatchId,
        requestId,
        receiver: item.receiver,
        amount: item.amount,
        senderItemId: item.sender_item_id ?? "",
        itemId: code(),
        polls: 0,
        outcome: state.outcomes[item.receiver] ?? "SUCCESS",
      };
      state.batches.push(batch);
      if (behaviour === "error-after") {
        return HttpResponse.json(
          { name: "INTERNAL_SERVER_ERROR", message: "An internal server error occurred." },
          { status: 503 },
        );
      }
      if (behaviour === "hang-after") await delay(state.hangMs);
      return HttpResponse.json(batchBody(batch, false), { status: 201 });
    }),
    http.get(`${base}/v1/payments/payouts/:id`, ({ request, params }) => {
      state.requests.push({ method: "GET", path: `/v1/payments/payouts/${params.id}`, requestId: null });
      if (unauthorized(request)) return authError();
      if (state.pollErrors > 0) {
        state.pollErrors--;
        return HttpResponse.json(
          { name: "INTERNAL_SERVER_ERROR", message: "An internal server error occurred." },
          { status: 500 },
        );
      }
      const batch = state.batches.find((b) => b.payoutBatchId === params.id);
      if (!batch) {
        return HttpResponse.json(
          { name: "RESOURCE_NOT_FOUND", message: "The requested resource was not found" },
          { status: 404 },
        );
      }
      batch.polls++;
      return HttpResponse.json(batchBody(batch, true));
    }),
  ];
  return state;
}
