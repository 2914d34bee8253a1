import { createHmac, randomUUID } from "node:crypto";

// Webhook deliveries as Shopify sends them: the body's exact bytes, signed with the app's secret (base64
// HMAC-SHA256), and the X-Shopify-* headers.

export const TEST_SHOP = "test-shop.myshopify.com";
export const BIG_ORDER_ID = "820982911946154508";
export const BIG_CUSTOMER_ID = "115310627314723954";
export const BIG_REFUND_ID = "509562969338736789";

export function signBody(body: Uint8Array | string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

export interface DeliveryOptions {
  topic: string;
  body: string | Uint8Array;
  secret: string;
  shop?: string;
  eventId?: string;
  webhookId?: string;
  hmac?: string;
  omit?: string[];
}

export function webhookHeaders(options: DeliveryOptions): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-shopify-topic": options.topic,
    "x-shopify-hmac-sha256": options.hmac ?? signBody(options.body, options.secret),
    "x-shopify-shop-domain": options.shop ?? TEST_SHOP,
    "x-shopify-api-version": "2026-07",
    "x-shopify-webhook-id": options.webhookId ?? randomUUID(),
    "x-shopify-event-id": options.eventId ?? randomUUID(),
    "x-shopify-triggered-at": new Date().toISOString(),
  };
  for (const name of options.omit ?? []) delete headers[name];
  return headers;
}

/** Writes JSON with 64-bit ids as bare numbers, as Shopify does: "__big:123" strings become 123. */
export function shopifyJson(value: unknown): string {
  return JSON.stringify(value).replace(/"__big:(\d+)"/g, "$1");
}

export const big = (id: string) => `__big:${id}`;

export function orderPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: big(BIG_ORDER_ID),
    admin_graphql_api_id: `gid://shopify/Order/${BIG_ORDER_ID}`,
    app_id: 580111,
    browser_ip: "203.0.113.7",
    buyer_accepts_marketing: false,
    cancel_reason: null,
    cancelled_at: null,
    cart_token: "Z2NwLXVzLWVhc3QxOjAxSjlYWjM3",
    checkout_id: big("901414060"),
    checkout_token: "bd5a8aa1ecd019dd3520ff791ee3a24c",
    client_details: { accept_language: "en-US", browser_ip: "203.0.113.7", user_agent: "Mozilla/5.0 (Macintosh)" },
    confirmation_number: "ABC123XYZ",
    contact_email: "Jane.Doe@Example.com",
    created_at: "2026-11-20T10:15:00-05:00",
    currency: "USD",
    current_subtotal_price: "89.90",
    current_total_price: "99.85",
    discount_codes: [{ code: "jane10", amount: "9.99", type: "percentage" }],
    email: "Jane.Doe@Example.com",
    financial_status: "paid",
    fulfillment_status: null,
    landing_site: "/products/trail-shoe?utm_source=instagram&tm_click=tm_AbCdEfGhIjKlMnOp",
    name: "#1001",
    note: "Leave at the door — thanks ✓",
    note_attributes: [
      { name: "gift_wrap", value: "yes" },
      { name: "_tm_click", value: "tm_QrStUvWxYz012345" },
    ],
    order_number: 1001,
    presentment_currency: "USD",
    processed_at: "2026-11-20T10:15:00-05:00",
    referring_site: "https://l.instagram.com/",
    source_name: "web",
    subtotal_price: "89.90",
    tags: "",
    test: false,
    total_discounts: "9.99",
    total_price: "99.85",
    total_tax: "5.00",
    updated_at: "2026-11-20T10:16:30-05:00",
    customer: {
      id: big(BIG_CUSTOMER_ID),
      email: "Jane.Doe@Example.com",
      first_name: "Jane",
      last_name: "Doe",
      admin_graphql_api_id: `gid://shopify/Customer/${BIG_CUSTOMER_ID}`,
    },
    line_items: [
      {
        id: big("866550311766439020"),
        admin_graphql_api_id: "gid://shopify/LineItem/866550311766439020",
        name: "Trail Shoe - 42",
        price: "99.89",
        quantity: 1,
        sku: "TS-42",
        product_id: big("632910392"),
        variant_id: big("808950810"),
        gift_card: false,
        discount_allocations: [{ amount: "9.99", discount_application_index: 0 }],
        tax_lines: [{ price: "5.00", rate: 0.05, title: "GST" }],
      },
    ],
    refunds: [],
    shipping_address: {
      first_name: "Jane",
      last_name: "Doe",
      address1: "1 Main St",
      city: "Ottawa",
      country_code: "CA",
    },
    ...overrides,
  };
}

export function refundPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: big(BIG_REFUND_ID),
    admin_graphql_api_id: `gid://shopify/Refund/${BIG_REFUND_ID}`,
    order_id: big(BIG_ORDER_ID),
    created_at: "2026-11-22T09:00:00-05:00",
    note: "Wrong size",
    processed_at: "2026-11-22T09:00:00-05:00",
    restock: true,
    refund_line_items: [],
    transactions: [
      {
        id: big("389404469123456789"),
        admin_graphql_api_id: "gid://shopify/OrderTransaction/389404469123456789",
        amount: "20.00",
        currency: "USD",
        kind: "refund",
        status: "success",
        gateway: "shopify_payments",
        order_id: big(BIG_ORDER_ID),
      },
      {
        id: big("389404469123456790"),
        amount: "5.00",
        currency: "USD",
        kind: "refund",
        status: "failure",
        gateway: "bogus",
      },
    ],
    order_adjustments: [],
    ...overrides,
  };
}

/**
 * The n-th of many distinct orders of the sample's shape (for batches and benchmarks): its own 64-bit id and
 * number, landing with a creator's click id, and optionally a discount code.
 */
export function numberedOrder(
  n: number,
  options: {
    clickId?: string;
    code?: string;
    createdAt?: string;
    updatedAt?: string;
    financialStatus?: string;
    cancelledAt?: string | null;
    shop?: string;
  } = {},
): Record<string, unknown> {
  const id = (BigInt(BIG_ORDER_ID) + BigInt(n)).toString();
  const createdAt = options.createdAt ?? new Date().toISOString();
  return orderPayload({
    id: big(id),
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${1001 + n}`,
    order_number: 1001 + n,
    checkout_token: `ck${id}`,
    created_at: createdAt,
    processed_at: createdAt,
    updated_at: options.updatedAt ?? createdAt,
    financial_status: options.financialStatus ?? "paid",
    cancelled_at: options.cancelledAt ?? null,
    landing_site: options.clickId ? `/products/trail-shoe?tm_click=${options.clickId}` : "/products/trail-shoe",
    note_attributes: [{ name: "gift_wrap", value: "yes" }],
    discount_codes: options.code ? [{ code: options.code, amount: "9.99", type: "percentage" }] : [],
  });
}

/** numberedOrder's 64-bit id as text. */
export function numberedOrderId(n: number): string {
  return (BigInt(BIG_ORDER_ID) + BigInt(n)).toString();
}
