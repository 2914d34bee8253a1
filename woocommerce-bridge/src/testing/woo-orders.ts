// Order payloads shaped like WooCommerce 9.4's REST v3 / webhook output (wp_api_v3), with the order
// attribution meta that WooCommerce 8.5+ records at checkout.

export interface WooOrderFixtureOptions {
  id?: number;
  status?: string;
  total?: string;
  currency?: string;
  email?: string;
  customerId?: number;
  orderKey?: string;
  createdGmt?: string;
  modifiedGmt?: string;
  paidGmt?: string | null;
  coupons?: { code: string; discount: string }[];
  refunds?: { id: number; total: string; reason?: string }[];
  /** `_wc_order_attribution_*` fields without the prefix; undefined leaves the typical utm set. */
  attribution?: Record<string, string>;
  extraMeta?: { id: number; key: string; value: unknown }[];
  storeUrl?: string;
}

export const STORE_URL = "https://shop.example.com";

export function wooOrderPayload(options: WooOrderFixtureOptions = {}): Record<string, unknown> {
  const id = options.id ?? 4127;
  const status = options.status ?? "processing";
  const currency = options.currency ?? "EUR";
  const total = options.total ?? "59.90";
  // The default order is a beanie with VAT and shipping; an order given another total is one tax-free item
  // at that total with free shipping, so that its items (the commission base) are its total.
  const plain = options.total !== undefined;
  const lineTotal = plain ? total : "45.44";
  const tax = plain ? "0.00" : "9.56";
  const shipping = plain ? "0.00" : "4.90";
  const createdGmt = options.createdGmt ?? "2024-11-20T10:04:31";
  const modifiedGmt = options.modifiedGmt ?? "2024-11-20T10:04:33";
  const paidGmt =
    options.paidGmt === undefined ? (status === "pending" ? null : "2024-11-20T10:04:32") : options.paidGmt;
  const storeUrl = options.storeUrl ?? STORE_URL;
  const attribution = options.attribution ?? {
    source_type: "utm",
    referrer: "https://www.instagram.com/",
    utm_campaign: "winter-drop",
    utm_source: "instagram",
    utm_medium: "influencer",
    session_entry: `${storeUrl}/product/merino-beanie/?utm_source=instagram&utm_medium=influencer&utm_campaign=winter-drop`,
    session_start_time: "2024-11-20 09:51:02",
    session_pages: "4",
    session_count: "1",
    user_agent:
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    device_type: "Mobile",
  };
  let metaId = 9301;
  const meta = [
    { id: metaId++, key: "is_vat_exempt", value: "no" },
    ...Object.entries(attribution).map(([key, value]) => ({
      id: metaId++,
      key: `_wc_order_attribution_${key}`,
      value,
    })),
    ...(options.extraMeta ?? []),
  ];
  // The store's local time (Europe/Zurich, UTC+1 in November), as in the non-_gmt fields.
  const local = (gmt: string | null) =>
    gmt === null
      ? null
      : gmt.replace(/T(\d{2})/, (_, h: string) => `T${String((Number(h) + 1) % 24).padStart(2, "0")}`);
  return {
    id,
    parent_id: 0,
    status,
    currency,
    version: "9.4.2",
    prices_include_tax: true,
    date_created: local(createdGmt),
    date_modified: local(modifiedGmt),
    discount_total: "0.00",
    discount_tax: "0.00",
    shipping_total: shipping,
    shipping_tax: "0.00",
    cart_tax: tax,
    total,
    total_tax: tax,
    customer_id: options.customerId ?? 0,
    order_key: options.orderKey ?? "wc_order_Fh2kLp9QxTzA7",
    billing: {
      first_name: "Zoë",
      last_name: "Müller",
      company: "",
      address_1: "Rue de l'Église 4",
      address_2: "",
      city: "Genève",
      state: "",
      postcode: "1204",
      country: "CH",
      email: options.email ?? "Zoe.Muller@Example.com",
      phone: "+41 22 555 01 23",
    },
    shipping: {
      first_name: "Zoë",
      last_name: "Müller",
      company: "",
      address_1: "Rue de l'Église 4",
      address_2: "",
      city: "Genève",
      state: "",
      postcode: "1204",
      country: "CH",
      phone: "",
    },
    payment_method: "stripe",
    payment_method_title: "Credit Card (Stripe)",
    transaction_id: status === "pending" ? "" : "pi_3QNq2bKx9aBcDeF01xYz",
    customer_ip_address: "203.0.113.24",
    customer_user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15",
    created_via: "checkout",
    customer_note: "",
    date_completed: status === "completed" ? local(modifiedGmt) : null,
    date_paid: local(paidGmt),
    cart_hash: "6d2c1f0c8a1f4b8e3b5b1c2d9e7f0a11",
    number: String(id),
    meta_data: meta,
    line_items: [
      {
        id: 812,
        name: "Merino Beanie – Forêt",
        product_id: 77,
        variation_id: 0,
        quantity: 1,
        tax_class: "",
        subtotal: lineTotal,
        subtotal_tax: tax,
        total: lineTotal,
        total_tax: tax,
        taxes: [{ id: 1, total: tax, subtotal: tax }],
        meta_data: [],
        sku: "BEANIE-FOR",
        price: Number(lineTotal),
        image: { id: "120", src: `${storeUrl}/wp-content/uploads/2024/10/beanie-foret.jpg` },
        parent_name: null,
      },
    ],
    tax_lines: [
      {
        id: 814,
        rate_code: "CH-VAT-1",
        rate_id: 1,
        label: "MWST",
        compound: false,
        tax_total: tax,
        shipping_tax_total: "0.00",
        rate_percent: 8.1,
        meta_data: [],
      },
    ],
    shipping_lines: [
      {
        id: 813,
        method_title: "Flat rate",
        method_id: "flat_rate",
        instance_id: "1",
        total: shipping,
        total_tax: "0.00",
        taxes: [],
        meta_data: [],
      },
    ],
    fee_lines: [],
    coupon_lines: (options.coupons ?? []).map((c, i) => ({
      id: 815 + i,
      code: c.code,
      discount: c.discount,
      discount_tax: "0.00",
      meta_data: [],
    })),
    refunds: (options.refunds ?? []).map((r) => ({ id: r.id, reason: r.reason ?? "", total: r.total })),
    payment_url: `${storeUrl}/checkout/order-pay/${id}/?pay_for_order=true&key=${options.orderKey ?? "wc_order_Fh2kLp9QxTzA7"}`,
    is_editable: status === "pending" || status === "on-hold",
    needs_payment: status === "pending",
    needs_processing: true,
    date_created_gmt: createdGmt,
    date_modified_gmt: modifiedGmt,
    date_completed_gmt: status === "completed" ? modifiedGmt : null,
    date_paid_gmt: paidGmt,
    currency_symbol: "€",
    _links: {
      self: [
        {
          href: `${storeUrl}/wp-json/wc/v3/orders/${id}`,
          targetHints: { allow: ["GET", "POST", "PUT", "PATCH", "DELETE"] },
        },
      ],
      collection: [{ href: `${storeUrl}/wp-json/wc/v3/orders` }],
    },
  };
}

export interface WooRefundFixtureOptions {
  id: number;
  orderId: number;
  /** The money returned, positive ("43.20"), as the refunds endpoint reports it. */
  amount: string;
  reason?: string;
  /** Refunded items: the order line's id and the refunded quantity, total and tax, all positive. */
  lines?: { itemId: number; name?: string; quantity: number; total: string; tax: string }[];
  /** Refunded shipping, positive. */
  shipping?: { itemId: number; total: string; tax?: string }[];
  createdGmt?: string;
  storeUrl?: string;
}

const negative = (amount: string) => (Number(amount) === 0 ? amount : `-${amount}`);

/**
 * A refund as WooCommerce 9.4's GET /wc/v3/orders/{id}/refunds lists it: `amount` positive, its line items
 * with negative quantities and amounts (total without tax, after discounts), each pointing at the order's line
 * through `_refunded_item_id`.
 */
export function wooRefundPayload(options: WooRefundFixtureOptions): Record<string, unknown> {
  const storeUrl = options.storeUrl ?? STORE_URL;
  const createdGmt = options.createdGmt ?? "2024-11-22T09:00:00";
  let lineId = options.id * 10;
  return {
    id: options.id,
    date_created: createdGmt,
    date_created_gmt: createdGmt,
    amount: options.amount,
    reason: options.reason ?? "",
    refunded_by: 1,
    refunded_payment: true,
    meta_data: [],
    line_items: (options.lines ?? []).map((l) => ({
      id: lineId++,
      name: l.name ?? "Item",
      product_id: 77,
      variation_id: 0,
      quantity: -l.quantity,
      tax_class: "",
      subtotal: negative(l.total),
      subtotal_tax: negative(l.tax),
      total: negative(l.total),
      total_tax: negative(l.tax),
      taxes: [{ id: 1, total: negative(l.tax), subtotal: negative(l.tax) }],
      meta_data: [{ id: lineId * 7, key: "_refunded_item_id", value: String(l.itemId) }],
      sku: "",
      price: -Number(l.total) / l.quantity,
    })),
    shipping_lines: (options.shipping ?? []).map((s) => ({
      id: lineId++,
      method_title: "Flat rate",
      method_id: "flat_rate",
      instance_id: "1",
      total: negative(s.total),
      total_tax: negative(s.tax ?? "0.00"),
      taxes: [],
      meta_data: [{ id: lineId * 7, key: "_refunded_item_id", value: String(s.itemId) }],
    })),
    tax_lines: [],
    fee_lines: [],
    _links: {
      self: [{ href: `${storeUrl}/wp-json/wc/v3/orders/${options.orderId}/refunds/${options.id}` }],
      collection: [{ href: `${storeUrl}/wp-json/wc/v3/orders/${options.orderId}/refunds` }],
      up: [{ href: `${storeUrl}/wp-json/wc/v3/orders/${options.orderId}` }],
    },
  };
}
