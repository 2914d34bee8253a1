import { hashCustomerRef, hashEmail } from "@trailmark/core/shared";
import { describe, expect, it } from "vitest";
import { idFromGid, normalizeShopifyOrder, normalizeShopifyRefund, orderStatusOf } from "./normalize-order.ts";
import {
  BIG_CUSTOMER_ID,
  BIG_ORDER_ID,
  BIG_REFUND_ID,
  big,
  orderPayload,
  refundPayload,
  shopifyJson,
} from "./testing/webhooks.ts";

const normalize = (overrides: Record<string, unknown> = {}) =>
  normalizeShopifyOrder(shopifyJson(orderPayload(overrides)));
/** An order whose line items are not listed: its items base is its subtotal's. */
const withoutLines = (overrides: Record<string, unknown> = {}) => normalize({ line_items: undefined, ...overrides });

describe("normalizeShopifyOrder", () => {
  it("reads the order id exactly, though it is beyond 2^53", () => {
    const text = shopifyJson(orderPayload());
    expect(text).toContain(`"id":${BIG_ORDER_ID},`);
    expect(String(JSON.parse(text).id)).not.toBe(BIG_ORDER_ID);
    expect(normalizeShopifyOrder(text).externalId).toBe(BIG_ORDER_ID);
  });

  it("falls back to the raw id when there is no admin_graphql_api_id", () => {
    expect(normalize({ admin_graphql_api_id: undefined }).externalId).toBe(BIG_ORDER_ID);
    expect(normalize({ admin_graphql_api_id: null, id: 450789469 }).externalId).toBe("450789469");
  });

  it("turns money into integer minor units of the order's currency", () => {
    const order = normalize();
    expect(order.currency).toBe("USD");
    expect(order.total).toBe(8990);
    expect(withoutLines({ currency: "JPY", subtotal_price: "1250" }).total).toBe(1250);
    expect(withoutLines({ currency: "KWD", subtotal_price: "12.345" }).total).toBe(12345);
    expect(withoutLines({ subtotal_price: undefined, total_price: "99.85" }).total).toBe(9985);
  });

  it("takes tax out of the base when prices include it: subtotal 120.00 with 20.00 tax is a base of 100.00", () => {
    const order = withoutLines({
      taxes_included: true,
      subtotal_price: "120.00",
      total_tax: "20.00",
      total_price: "125.00",
      shipping_lines: [{ price: "5.00", tax_lines: [] }],
    });
    expect(order.total).toBe(10_000);
    expect(order.orderTotal).toBe(12_500);
    // Tax excluded from prices: the subtotal is the base as it is.
    expect(withoutLines({ taxes_included: false, subtotal_price: "100.00", total_tax: "20.00" }).total).toBe(10_000);
  });

  it("leaves gift cards out of the base", () => {
    const order = normalize({
      subtotal_price: "75.00",
      total_tax: "0.00",
      line_items: [
        { price: "50.00", quantity: 1, gift_card: false, tax_lines: [] },
        { price: "25.00", quantity: 1, gift_card: true, tax_lines: [] },
      ],
    });
    expect(order.total).toBe(5000);
  });

  it("lists the line items in shop money, and computes the items base from them (the subtotal's figure when they agree)", () => {
    const order = normalize();
    expect(order.lines).toEqual([
      {
        id: "866550311766439020",
        productId: "632910392",
        variantId: "808950810",
        sku: "TS-42",
        collectionIds: [],
        quantity: 1,
        unitPrice: 9989,
        discount: 999,
        tax: 500,
        amount: 8990,
        giftCard: false,
      },
    ]);
    expect(order.total).toBe(withoutLines().total);
    const usd = (amount: string) => ({ shop_money: { amount, currency_code: "USD" } });
    const twoLines = normalize({
      taxes_included: true,
      subtotal_price: "999.00",
      line_items: [
        {
          id: 1,
          product_id: 10,
          variant_id: 100,
          price: "9999",
          price_set: usd("30.00"),
          quantity: 2,
          tax_lines: [{ price: "1", price_set: usd("10.00") }],
          discount_allocations: [{ amount: "1", amount_set: usd("5.00") }],
        },
        { id: 2, price: "25.00", quantity: 1, gift_card: true, tax_lines: [] },
      ],
    });
    // 2 × 30.00 − 5.00 discount − 10.00 tax included in the price = 45.00; the gift card is not a sale.
    expect(twoLines.lines.map((l) => [l.id, l.quantity, l.unitPrice, l.discount, l.tax, l.amount, l.giftCard])).toEqual(
      [
        ["1", 2, 3000, 500, 1000, 4500, false],
        ["2", 1, 2500, 0, 0, 2500, true],
      ],
    );
    expect(twoLines.total).toBe(4500);
  });

  it("names the lines a refund took back", () => {
    const order = normalize({
      financial_status: "partially_refunded",
      refunds: [
        {
          id: 9,
          transactions: [{ kind: "refund", status: "success", amount: "10.00", currency: "USD" }],
          refund_line_items: [
            { line_item_id: big("866550311766439020"), quantity: 1, subtotal: "8.99", total_tax: "0.45" },
          ],
        },
      ],
    });
    expect(order.refunds).toEqual([
      { id: "9", amount: 899, orderAmount: 1000, lines: [{ lineId: "866550311766439020", quantity: 1, amount: 899 }] },
    ]);
  });

  it("reads the shop's own currency and amounts (shop_money) when the customer paid in another", () => {
    const shop = (amount: string) => ({
      shop_money: { amount, currency_code: "USD" },
      presentment_money: { amount: String(Number(amount) * 150), currency_code: "JPY" },
    });
    const order = withoutLines({
      currency: "JPY",
      presentment_currency: "JPY",
      subtotal_price: "12000",
      subtotal_price_set: shop("80.00"),
      total_price: "13500",
      total_price_set: shop("90.00"),
      total_tax: "0",
      total_tax_set: shop("0.00"),
    });
    expect(order).toMatchObject({ currency: "USD", total: 8000, orderTotal: 9000 });
  });

  it("converts a refund paid back in the customer's currency at the order's own rate", () => {
    const set = (usd: string, jpy: string) => ({
      shop_money: { amount: usd, currency_code: "USD" },
      presentment_money: { amount: jpy, currency_code: "JPY" },
    });
    const order = withoutLines({
      currency: "USD",
      presentment_currency: "JPY",
      subtotal_price: "80.00",
      subtotal_price_set: set("80.00", "12000"),
      total_price: "90.00",
      total_price_set: set("90.00", "13500"),
      total_tax: "0.00",
      financial_status: "partially_refunded",
      refunds: [{ id: 7, transactions: [{ kind: "refund", status: "success", amount: "3000", currency: "JPY" }] }],
    });
    // ¥3000 of ¥13500 is 20.00 USD of 90.00; the same share of the 80.00 items base is 17.78.
    expect(order.refunds).toEqual([{ id: "7", amount: 1778, orderAmount: 2000 }]);
  });

  it("finds click ids in the landing URL and in the cart attributes", () => {
    expect(normalize().clickIds).toEqual(["tm_AbCdEfGhIjKlMnOp", "tm_QrStUvWxYz012345"]);
    const viaUtmId = normalize({
      landing_site: "https://shop.example.com/?utm_id=tm_ZZZZZZZZZZZZZZZZ&utm_source=yt",
      note_attributes: [
        { name: "tm_click", value: "tm_ZZZZZZZZZZZZZZZZ" },
        { name: "tm_click", value: "not-a-click-id" },
        { name: "other", value: "tm_YYYYYYYYYYYYYYYY" },
      ],
    });
    expect(viaUtmId.clickIds).toEqual(["tm_ZZZZZZZZZZZZZZZZ"]);
    expect(normalize({ landing_site: null, note_attributes: null }).clickIds).toEqual([]);
  });

  it("hashes the email and the customer id, and keeps the checkout token, codes and landing URL", () => {
    const order = normalize();
    expect(order.customerEmailHash).toBe(hashEmail("jane.doe@example.com"));
    expect(order.customerRef).toBe(hashCustomerRef(BIG_CUSTOMER_ID));
    expect(order.checkoutToken).toBe("bd5a8aa1ecd019dd3520ff791ee3a24c");
    expect(order.discountCodes).toEqual(["JANE10"]);
    expect(order.landingUrl).toBe("/products/trail-shoe?utm_source=instagram&tm_click=tm_AbCdEfGhIjKlMnOp");
    expect(order.number).toBe("#1001");
    expect(JSON.stringify(order)).not.toMatch(/doe@example/i);
  });

  it("has no customer data for a guest without an email", () => {
    const order = normalize({ email: null, contact_email: null, customer: null });
    expect(order.customerEmailHash).toBeNull();
    expect(order.customerRef).toBeNull();
  });

  it("keeps the test flag and the timestamps", () => {
    const order = normalize({ test: true });
    expect(order.isTest).toBe(true);
    expect(order.placedAt.toISOString()).toBe("2026-11-20T15:15:00.000Z");
    expect(order.sourceUpdatedAt.toISOString()).toBe("2026-11-20T15:16:30.000Z");
    expect(normalize({ updated_at: null }).sourceUpdatedAt.toISOString()).toBe("2026-11-20T15:15:00.000Z");
  });

  it("maps Shopify's financial and cancellation states to pending, confirmed and reversed", () => {
    expect(normalize({ financial_status: "pending" }).status).toBe("pending");
    expect(normalize({ financial_status: "authorized" }).status).toBe("pending");
    expect(normalize({ financial_status: "partially_paid" }).status).toBe("pending");
    expect(normalize({ financial_status: "paid" }).status).toBe("confirmed");
    expect(normalize({ financial_status: "partially_refunded" }).status).toBe("confirmed");
    expect(normalize({ financial_status: "refunded" }).status).toBe("confirmed");
    expect(normalize({ financial_status: "voided" }).status).toBe("reversed");
    expect(normalize({ financial_status: "paid", cancelled_at: "2026-11-21T08:00:00-05:00" }).status).toBe("reversed");
    expect(orderStatusOf({ cancelled_at: null, financial_status: null })).toBe("pending");
  });

  it("lists each refund once: the money returned, and the same share of the items base", () => {
    const { id, admin_graphql_api_id, transactions } = refundPayload();
    const order = normalize({
      financial_status: "partially_refunded",
      refunds: [
        { id, admin_graphql_api_id, transactions },
        { id: 123, transactions: [{ kind: "refund", status: "success", amount: "1.50" }] },
      ],
    });
    // A refund without line items returns 20.00 of a 99.85 order: it takes 20.00/99.85 of the 89.90 items base.
    expect(order.refunds).toEqual([
      { id: BIG_REFUND_ID, amount: 1801, orderAmount: 2000 },
      { id: "123", amount: 135, orderAmount: 150 },
    ]);
  });

  it("names the field that is wrong", () => {
    expect(() => normalize({ currency: "usd" })).toThrow(/invalid Shopify order: currency/);
    expect(() => normalize({ created_at: "yesterday" })).toThrow(/created_at/);
    expect(() => normalizeShopifyOrder("<html>")).toThrow(/not JSON/);
  });
});

describe("normalizeShopifyRefund", () => {
  it("reads the refund's order id exactly and sums its successful refund transactions", () => {
    const refund = normalizeShopifyRefund(shopifyJson(refundPayload()), "USD");
    expect(refund).toEqual({
      orderExternalId: BIG_ORDER_ID,
      refund: { id: BIG_REFUND_ID, amount: 2000, orderAmount: 2000 },
      createdAt: new Date("2026-11-22T14:00:00.000Z"),
    });
  });

  it("counts the refunded items' subtotals, not the shipping and tax returned with them", () => {
    const payload = refundPayload({
      refund_line_items: [{ subtotal: "30.00" }, { subtotal: 12.5 }],
      transactions: [{ kind: "refund", status: "success", amount: "51.24" }],
    });
    expect(normalizeShopifyRefund(shopifyJson(payload), "USD").refund.amount).toBe(4250);
  });

  it("counts nothing for a refund without money (a restock only)", () => {
    const refund = normalizeShopifyRefund(shopifyJson(refundPayload({ transactions: [], order_id: big("5") })), "USD");
    expect(refund.refund.amount).toBe(0);
    expect(refund.orderExternalId).toBe("5");
  });
});

describe("idFromGid", () => {
  it("takes the numeric tail of a Shopify global id", () => {
    expect(idFromGid(`gid://shopify/Order/${BIG_ORDER_ID}`)).toBe(BIG_ORDER_ID);
    expect(idFromGid("gid://shopify/Order/1?x=1")).toBe("1");
    expect(idFromGid("820982911946154508")).toBeNull();
    expect(idFromGid(null)).toBeNull();
  });
});
