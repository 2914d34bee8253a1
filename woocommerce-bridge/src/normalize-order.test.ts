import { newClickId } from "@trailmark/core/links";
import { hashEmail } from "@trailmark/core/shared";
import { describe, expect, it } from "vitest";
import { mapWooStatus, normalizeWooOrder } from "./normalize-order.ts";
import { decodeWooBody } from "./process-delivery.ts";
import { refundDetail, refundItemsAmount, WooRefundSchema } from "./refund-items.ts";
import { phpJsonEncode } from "./testing/php-json.ts";
import { type WooOrderFixtureOptions, wooOrderPayload, wooRefundPayload } from "./testing/woo-orders.ts";
import { WooOrderSchema } from "./woo-order-schema.ts";

function normalize(options: WooOrderFixtureOptions = {}) {
  // Through the bytes WooCommerce sends, so the test covers PHP's escaping as well.
  const body = new TextEncoder().encode(phpJsonEncode(wooOrderPayload(options)));
  return normalizeWooOrder(WooOrderSchema.parse(decodeWooBody(body)));
}

describe("normalizeWooOrder", () => {
  it("pays on the items after discounts without tax or shipping, and a refund on the same share of them", () => {
    // The default order: a 45.44 beanie, 9.56 VAT, 4.90 shipping: 59.90.
    expect(normalize()).toMatchObject({ total: 4544, orderTotal: 5990 });
    const refunded = normalize({ refunds: [{ id: 4130, total: "-5.00" }] });
    // 5.00 of 59.90 returned takes the same share of the 45.44 items base.
    expect(refunded.refunds).toEqual([{ id: "4130", amount: 379, orderAmount: 500 }]);
  });

  it("keeps ids as strings and converts decimal money to minor units", () => {
    const order = normalize({ id: 4127, total: "19.99", currency: "USD" });
    expect(order.externalId).toBe("4127");
    expect(order.number).toBe("4127");
    expect(order.total).toBe(1999);
    expect(order.orderTotal).toBe(1999);
    expect(order.currency).toBe("USD");
  });

  it("uses the currency's own precision", () => {
    expect(normalize({ total: "4500", currency: "JPY" }).orderTotal).toBe(4500);
    expect(normalize({ total: "12.345", currency: "KWD" }).orderTotal).toBe(12345);
  });

  it.each([
    ["pending", "pending"],
    ["on-hold", "pending"],
    ["processing", "confirmed"],
    ["completed", "confirmed"],
    ["refunded", "confirmed"],
    ["cancelled", "reversed"],
    ["failed", "reversed"],
  ] as const)("maps WooCommerce status %s to %s", (status, expected) => {
    expect(normalize({ status }).status).toBe(expected);
  });

  it("decides a plugin's own status by whether WooCommerce recorded a payment", () => {
    expect(mapWooStatus("shipped", true)).toBe("confirmed");
    expect(mapWooStatus("awaiting-payment", false)).toBe("pending");
  });

  it("turns partial refunds, reported as negative totals, into refunds with their ids", () => {
    const order = normalize({ total: "59.90", refunds: [{ id: 4130, total: "-5.00", reason: "Größe passt nicht" }] });
    expect(order.status).toBe("confirmed");
    expect(order.refunds).toEqual([{ id: "4130", amount: 500, orderAmount: 500 }]);
  });

  it("takes each refund's refunded items exactly when they were fetched, and its share when not", () => {
    // The default order: a 45.44 beanie (the items base), 9.56 VAT, 4.90 shipping: 59.90.
    const refunds = [
      { id: 4140, total: "-12.10" }, // 10.00 of the beanie and its 2.10 tax
      { id: 4141, total: "-4.90" }, // the shipping only
      { id: 4142, total: "-5.00" }, // an amount, no lines
      { id: 4143, total: "-6.00" }, // not fetched (store unreachable, no REST keys)
    ];
    const body = new TextEncoder().encode(phpJsonEncode(wooOrderPayload({ refunds })));
    const fetched = [
      wooRefundPayload({
        id: 4140,
        orderId: 4127,
        amount: "12.10",
        lines: [{ itemId: 812, quantity: 1, total: "10.00", tax: "2.10" }],
      }),
      wooRefundPayload({ id: 4141, orderId: 4127, amount: "4.90", shipping: [{ itemId: 813, total: "4.90" }] }),
      wooRefundPayload({ id: 4142, orderId: 4127, amount: "5.00" }),
    ].map((r) => WooRefundSchema.parse(r));
    expect(fetched.map((r) => refundItemsAmount(r, "EUR"))).toEqual([1000, 0, null]);
    const items = new Map(fetched.map((r) => [r.id, refundDetail(r, "EUR")]));
    const order = normalizeWooOrder(WooOrderSchema.parse(decodeWooBody(body)), items);
    expect(order.refunds).toEqual([
      { id: "4140", amount: 1000, orderAmount: 1210, lines: [{ lineId: "812", quantity: 1, amount: 1000 }] },
      { id: "4141", amount: 0, orderAmount: 490 },
      { id: "4142", amount: 379, orderAmount: 500 }, // 45.44 × 5.00 / 59.90
      { id: "4143", amount: 455, orderAmount: 600 }, // 45.44 × 6.00 / 59.90
    ]);
  });

  it("lists the line items, with their products' categories when the catalogue gave them", () => {
    const twoLines = {
      line_items: [
        {
          id: 812,
          product_id: 77,
          variation_id: 0,
          sku: "BEANIE",
          quantity: 2,
          subtotal: "50.00",
          total: "45.44",
          total_tax: "9.56",
        },
        {
          id: 815,
          product_id: 78,
          variation_id: 781,
          sku: "",
          quantity: 1,
          subtotal: "10.00",
          total: "10.00",
          total_tax: "0",
        },
      ],
    };
    const body = new TextEncoder().encode(phpJsonEncode(wooOrderPayload()));
    const parsed = WooOrderSchema.parse({ ...(decodeWooBody(body) as object), ...twoLines });
    const order = normalizeWooOrder(parsed, undefined, new Map([["77", ["15", "16"]]]));
    expect(order.lines).toEqual([
      {
        id: "812",
        productId: "77",
        variantId: null,
        sku: "BEANIE",
        collectionIds: ["15", "16"],
        quantity: 2,
        unitPrice: 2500,
        discount: 456,
        tax: 956,
        amount: 4544,
        giftCard: false,
      },
      {
        id: "815",
        productId: "78",
        variantId: "781",
        sku: null,
        collectionIds: [],
        quantity: 1,
        unitPrice: 1000,
        discount: 0,
        tax: 0,
        amount: 1000,
        giftCard: false,
      },
    ]);
    expect(order.total).toBe(5544);
  });

  it("treats a refunded order as refunded in full even when the refund records fall short", () => {
    const withRecords = normalize({ status: "refunded", total: "59.90", refunds: [{ id: 4131, total: "-59.90" }] });
    expect(withRecords.refunds).toEqual([{ id: "4131", amount: 5990, orderAmount: 5990 }]);
    const without = normalize({ id: 77, status: "refunded", total: "59.90", refunds: [{ id: 4132, total: "-10.00" }] });
    expect(without.status).toBe("confirmed");
    expect(without.refunds).toEqual([
      { id: "4132", amount: 1000, orderAmount: 1000 },
      { id: "77:refunded", amount: 4990, orderAmount: 4990 },
    ]);
    expect(without.refunds.reduce((s, r) => s + r.amount, 0)).toBe(without.total);
    expect(without.refunds.reduce((s, r) => s + (r.orderAmount ?? 0), 0)).toBe(without.orderTotal);
  });

  it("finds the click id in utm_id, in a click-id-shaped utm_content, and in the landing URL", () => {
    const [a, b, c] = [newClickId(), newClickId(), newClickId()];
    const order = normalize({
      attribution: {
        source_type: "utm",
        utm_source: "trailmark",
        utm_id: a,
        utm_content: b,
        session_entry: `https://shop.example.com/product/beanie/?utm_id=${a}&tm_click=${c}`,
      },
    });
    expect(order.clickIds.sort()).toEqual([a, b, c].sort());
    expect(order.landingUrl).toBe(`https://shop.example.com/product/beanie/?utm_id=${a}&tm_click=${c}`);
  });

  it("ignores a merchant's own utm_id and utm_content values", () => {
    const order = normalize({ attribution: { source_type: "utm", utm_id: "spring-2024", utm_content: "reel-3" } });
    expect(order.clickIds).toEqual([]);
    expect(order.landingUrl).toBeNull();
  });

  it("ignores attribution meta whose value is not text", () => {
    const order = normalize({
      attribution: {},
      extraMeta: [{ id: 1, key: "_wc_order_attribution_utm_id", value: { nested: true } }],
    });
    expect(order.clickIds).toEqual([]);
  });

  it("keeps coupon codes as discount codes, once each", () => {
    const order = normalize({
      coupons: [
        { code: "zoe15", discount: "8.99" },
        { code: "zoe15", discount: "0.00" },
        { code: "freeship", discount: "4.90" },
      ],
    });
    expect(order.discountCodes).toEqual(["zoe15", "freeship"]);
  });

  it("keeps only a hash of the billing email, normalized", () => {
    const order = normalize({ email: "  Zoe.Muller@Example.com " });
    expect(order.customerEmailHash).toBe(hashEmail("zoe.muller@example.com"));
    expect(JSON.stringify(order)).not.toContain("Example.com");
    expect(normalize({ email: "" }).customerEmailHash).toBeNull();
  });

  it("gives registered customers an opaque reference and guests none", () => {
    expect(normalize({ customerId: 0 }).customerRef).toBeNull();
    const ref = normalize({ customerId: 12 }).customerRef;
    expect(ref).toMatch(/^[0-9a-f]{64}$/);
    expect(normalize({ customerId: 12 }).customerRef).toBe(ref);
  });

  it("reads the GMT dates as UTC", () => {
    const order = normalize({ createdGmt: "2024-11-20T10:04:31", modifiedGmt: "2024-11-21T08:00:00" });
    expect(order.placedAt.toISOString()).toBe("2024-11-20T10:04:31.000Z");
    expect(order.sourceUpdatedAt.toISOString()).toBe("2024-11-21T08:00:00.000Z");
  });

  it("uses the order key as the checkout token that joins the order-received page's purchase event", () => {
    expect(normalize({ orderKey: "wc_order_AbC123xyz" }).checkoutToken).toBe("wc_order_AbC123xyz");
  });

  it("reads a body with PHP escapes byte for byte", () => {
    const clickId = newClickId();
    const payload = wooOrderPayload({
      attribution: { session_entry: `https://shop.example.com/caf\u00e9/?utm_id=${clickId}` },
    });
    const bytes = phpJsonEncode(payload);
    expect(bytes).toContain("https:\\/\\/shop.example.com\\/caf\\u00e9\\/?utm_id=");
    expect(bytes).toContain("Gen\\u00e8ve");
    const order = normalizeWooOrder(WooOrderSchema.parse(decodeWooBody(new TextEncoder().encode(bytes))));
    expect(order.landingUrl).toBe(`https://shop.example.com/café/?utm_id=${clickId}`);
    expect(order.clickIds).toEqual([clickId]);
  });

  it("rejects a payload without the fields it needs, naming them", () => {
    const { total: _total, ...rest } = wooOrderPayload();
    const parsed = WooOrderSchema.safeParse(rest);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["total"]);
  });
});
