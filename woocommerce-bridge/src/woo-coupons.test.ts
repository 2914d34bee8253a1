import { DiscountCodeError, type DiscountSpec } from "@trailmark/core/applications";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeWooStore, fakeWooStore } from "./testing/index.ts";
import { createWooClient } from "./woo-client.ts";
import { wooDiscountGateway } from "./woo-coupons.ts";

// Creators' codes as WooCommerce coupons against the fake REST API: the exact bodies sent, adoption of the
// same coupon, refusal of a different one, trash and restore.

const msw = setupServer();
let shop: FakeWooStore;
beforeAll(() => msw.listen({ onUnhandledRequest: "error" }));
afterAll(() => msw.close());
beforeEach(() => {
  shop = fakeWooStore({ url: "https://woo-coupons.example.com" });
  msw.resetHandlers(...shop.handlers);
});

const gateway = () =>
  wooDiscountGateway(createWooClient({ url: shop.url, consumerKey: shop.key, consumerSecret: shop.secret }));
const spec: DiscountSpec = {
  code: "ADA15",
  title: "Spring: ADA15",
  type: "percentage",
  value: 1500,
  currency: "EUR",
  oncePerCustomer: true,
  minimumSubtotal: 2000,
  startsAt: null,
  endsAt: new Date("2026-06-01T00:00:00Z"),
};

describe("WooCommerce coupons", () => {
  it("creates the coupon with the campaign's coupon settings", async () => {
    const { externalId } = await gateway().create(spec);
    expect(shop.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      [
        "POST",
        "/wp-json/wc/v3/coupons",
        {
          code: "ADA15",
          description: "Spring: ADA15",
          discount_type: "percent",
          amount: "15.00",
          individual_use: true,
          usage_limit_per_user: 1,
          minimum_amount: "20.00",
          date_expires_gmt: "2026-06-01T00:00:00",
        },
      ],
    ]);
    expect(shop.coupons).toEqual([
      expect.objectContaining({ id: Number(externalId), code: "ada15", status: "publish" }),
    ]);
  });

  it("sends a fixed cart amount without limits as WooCommerce expects", async () => {
    await gateway().create({
      ...spec,
      type: "fixed_amount",
      value: 750,
      oncePerCustomer: false,
      minimumSubtotal: 0,
      endsAt: null,
    });
    expect(shop.requests[0]!.body).toEqual({
      code: "ADA15",
      description: "Spring: ADA15",
      discount_type: "fixed_cart",
      amount: "7.50",
      individual_use: true,
      usage_limit_per_user: null,
      minimum_amount: "",
      date_expires_gmt: null,
    });
  });

  it("adopts the same coupon, refuses a different one with a suggestion", async () => {
    const first = await gateway().create(spec);
    const again = await gateway().create(spec);
    expect(again.externalId).toBe(first.externalId);
    expect(shop.requests.map((r) => `${r.method} ${r.path} ${r.query.get("code") ?? ""}`.trim())).toEqual([
      "POST /wp-json/wc/v3/coupons",
      "POST /wp-json/wc/v3/coupons",
      "GET /wp-json/wc/v3/coupons ADA15",
    ]);
    const refused = await gateway()
      .create({ ...spec, value: 1000 })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DiscountCodeError);
    expect((refused as Error).message).toMatch(/^The coupon ADA15 already exists in your shop with another discount\./);
  });

  it("trashes the coupon and publishes it again", async () => {
    const { externalId } = await gateway().create(spec);
    await gateway().setActive(externalId, false, spec);
    expect(shop.requests[1]).toMatchObject({ method: "DELETE", path: `/wp-json/wc/v3/coupons/${externalId}` });
    expect(shop.requests[1]!.query.get("force")).toBe("false");
    expect(shop.coupons[0]!.status).toBe("trash");
    await gateway().setActive(externalId, true, spec);
    expect(shop.requests[2]).toMatchObject({
      method: "PUT",
      path: `/wp-json/wc/v3/coupons/${externalId}`,
      body: expect.objectContaining({ status: "publish", code: "ADA15", amount: "15.00" }),
    });
    expect(shop.coupons[0]!.status).toBe("publish");
  });

  it("names the refusal of keys without write permission", async () => {
    shop.permissions = "read";
    await expect(gateway().create(spec)).rejects.toThrow(
      /WooCommerce did not create ADA15: WooCommerce rejected the API keys/,
    );
  });
});
