import { DiscountCodeError, type DiscountSpec } from "@trailmark/core/applications";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MISSING_DISCOUNT_SCOPE_MESSAGE, shopifyDiscountGateway, tokenAdminGraphql } from "./discounts.ts";
import { createShopifyAdminFake, type ShopifyAdminFake, shopifyAdminHandlers } from "./testing/shopify-admin.ts";

// Creators' codes as Shopify basic code discounts, against the Admin GraphQL fake: the exact mutation variables,
// adoption of a code the shop already has, the TAKEN refusal with a suggestion, and a missing scope.

let fake: ShopifyAdminFake;
const msw = setupServer();
beforeAll(() => msw.listen({ onUnhandledRequest: "error" }));
afterAll(() => msw.close());
beforeEach(() => {
  fake = createShopifyAdminFake();
  msw.resetHandlers(...shopifyAdminHandlers(fake));
});

const NOW = new Date("2026-03-01T12:00:00Z");
const graphql = () => tokenAdminGraphql("glow.myshopify.com", "shpat_offline");
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

describe("Shopify discount codes", () => {
  it("creates a percentage code with the campaign's settings", async () => {
    const { externalId } = await shopifyDiscountGateway(graphql(), () => NOW).create(spec);
    expect(externalId).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/);
    expect(fake.calls).toEqual([
      {
        operation: "trailmarkDiscountCodeBasicCreate",
        variables: {
          basicCodeDiscount: {
            title: "Spring: ADA15",
            code: "ADA15",
            startsAt: "2026-03-01T12:00:00.000Z",
            endsAt: "2026-06-01T00:00:00.000Z",
            context: { all: "ALL" },
            customerGets: { value: { percentage: 0.15 }, items: { all: true } },
            appliesOncePerCustomer: true,
            minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "20.00" } },
            combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
          },
        },
      },
    ]);
  });

  it("creates a fixed amount without a minimum or end", async () => {
    await shopifyDiscountGateway(graphql(), () => NOW).create({
      ...spec,
      code: "BEN5",
      type: "fixed_amount",
      value: 500,
      oncePerCustomer: false,
      minimumSubtotal: 0,
      startsAt: new Date("2026-02-01T00:00:00Z"),
      endsAt: null,
    });
    expect(fake.calls[0]!.variables.basicCodeDiscount).toMatchObject({
      code: "BEN5",
      startsAt: "2026-02-01T00:00:00.000Z",
      endsAt: null,
      customerGets: { value: { discountAmount: { amount: "5.00", appliesOnEachItem: false } }, items: { all: true } },
      appliesOncePerCustomer: false,
      minimumRequirement: null,
    });
  });

  it("adopts the shop's code when it is the same discount, and refuses another with a suggestion", async () => {
    const gateway = shopifyDiscountGateway(graphql(), () => NOW);
    const first = await gateway.create(spec);
    const again = await gateway.create(spec);
    expect(again.externalId).toBe(first.externalId);
    expect(fake.calls.map((c) => c.operation)).toEqual([
      "trailmarkDiscountCodeBasicCreate",
      "trailmarkDiscountCodeBasicCreate",
      "trailmarkDiscountCodeByCode",
    ]);
    expect(fake.calls[2]!.variables).toEqual({ code: "ADA15" });
    const refused = await gateway.create({ ...spec, value: 2000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DiscountCodeError);
    expect((refused as DiscountCodeError).message).toMatch(
      /^The code ADA15 already exists in your shop with another discount\. .* such as ADA15\d\d\.$/,
    );
    expect((refused as DiscountCodeError).suggestion).toMatch(/^ADA15\d\d$/);
  });

  it("asks for the new permission when the shop has not granted write_discounts", async () => {
    fake.scopes = ["read_orders", "write_pixels", "read_customer_events"];
    await expect(shopifyDiscountGateway(graphql(), () => NOW).create(spec)).rejects.toThrow(
      MISSING_DISCOUNT_SCOPE_MESSAGE,
    );
  });

  it("turns a code off and on again", async () => {
    const gateway = shopifyDiscountGateway(graphql(), () => NOW);
    const { externalId } = await gateway.create(spec);
    await gateway.setActive(externalId, false, spec);
    expect(fake.discounts.get("ADA15")!.status).toBe("EXPIRED");
    await gateway.setActive(externalId, true, spec);
    expect(fake.discounts.get("ADA15")!.status).toBe("ACTIVE");
    expect(fake.calls.slice(1)).toEqual([
      { operation: "trailmarkDiscountCodeDeactivate", variables: { id: externalId } },
      { operation: "trailmarkDiscountCodeActivate", variables: { id: externalId } },
    ]);
    await expect(gateway.setActive("gid://shopify/DiscountCodeNode/1", false, spec)).rejects.toThrow(
      /Discount does not exist/,
    );
  });
});
