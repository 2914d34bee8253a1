import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConversionRequestSchema } from "../api/conversion-schema.ts";
import { recordApiConversion } from "../api/record-conversion.ts";
import { updateCommissionPlan } from "../campaigns/campaign-store.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";
import { DAY, insertClick, seedProgram } from "../testing/fixtures.ts";
import { addOrderRefund, ingestOrder } from "./ingest-order.ts";
import { linesOf, refundsOf } from "./order-store.ts";

// An order's lines travel with it: stored once with the order, replaced by a newer snapshot, and the refunds
// that name them keep their lines.

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

const T0 = new Date("2026-11-01T12:00:00Z");

const line = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  productId: `p-${id}`,
  quantity: 1,
  unitPrice: 5000,
  amount: 5000,
  ...overrides,
});

describe("order lines", () => {
  it("stores the lines with the order, and a newer snapshot's lines replace them", async () => {
    const { db } = database;
    const { store } = await seedProgram(db);
    const base = { externalId: "o-lines", status: "confirmed" as const, currency: "USD", total: 8000 };
    await ingestOrder(db, store.id, {
      ...base,
      lines: [line("1", { collectionIds: ["c1"] }), line("2", { unitPrice: 3000, amount: 3000 })],
      placedAt: T0,
      sourceUpdatedAt: T0,
    });
    const row = await db.order.findUniqueOrThrow({
      where: { storeId_externalId: { storeId: store.id, externalId: "o-lines" } },
    });
    expect(linesOf(row).map((l) => [l.id, l.productId, l.collectionIds, l.amount])).toEqual([
      ["1", "p-1", ["c1"], 5000],
      ["2", "p-2", [], 3000],
    ]);
    await ingestOrder(db, store.id, {
      ...base,
      total: 5000,
      lines: [line("1")],
      placedAt: T0,
      sourceUpdatedAt: new Date(T0.getTime() + 1000),
    });
    await addOrderRefund(db, store.id, "o-lines", {
      id: "r1",
      amount: 2500,
      lines: [{ lineId: "1", quantity: 1, amount: 2500 }],
    });
    const after = await db.order.findUniqueOrThrow({ where: { id: row.id } });
    expect(linesOf(after).map((l) => l.id)).toEqual(["1"]);
    expect(refundsOf(after)).toEqual([{ id: "r1", amount: 2500, lines: [{ lineId: "1", quantity: 1, amount: 2500 }] }]);
  });

  it("takes the API's items as the order's lines, and their total after discounts, without tax, as its base", async () => {
    const { db } = database;
    const { store, links } = await seedProgram(db);
    const click = await insertClick(db, links[0]!, new Date(T0.getTime() - DAY));
    const body = ConversionRequestSchema.parse({
      type: "purchase",
      occurred_at: T0.toISOString(),
      click_id: click,
      order_id: "api-1",
      value: "130.00",
      currency: "USD",
      prices_include_tax: true,
      items: [
        {
          id: "a",
          product_id: "shoe",
          variant_id: "shoe-42",
          quantity: 2,
          unit_price: "50.00",
          discount: "10.00",
          tax: "9.00",
        },
        { product_id: "card", quantity: 1, unit_price: "25.00", gift_card: true },
      ],
    });
    const response = await recordApiConversion(db, store.id, body, "k", T0);
    expect(response.status).toBe("attributed");
    const row = await db.order.findUniqueOrThrow({
      where: { storeId_externalId: { storeId: store.id, externalId: "api-1" } },
    });
    // 2 × 50.00 − 10.00 − 9.00 tax included = 81.00; the gift card is not a sale.
    expect(Number(row.total)).toBe(8100);
    expect(
      linesOf(row).map((l) => [l.id, l.variantId, l.quantity, l.unitPrice, l.discount, l.tax, l.amount, l.giftCard]),
    ).toEqual([
      ["a", "shoe-42", 2, 5000, 1000, 900, 8100, false],
      ["2", null, 1, 2500, 0, 0, 2500, true],
    ]);
    // 10% of the items base.
    expect(response.commissions.map((c) => c.original)).toEqual([810]);
  });

  it("takes back exactly a refunded line's commission, not a share of the order's", async () => {
    const { db } = database;
    const { store, links, campaign } = await seedProgram(db);
    await updateCommissionPlan(db, store.id, campaign.id, {
      productRules: [{ target: "product", id: "shoe", rate: { type: "percentage", basisPoints: 2000 } }],
    });
    const click = await insertClick(db, links[0]!, new Date(T0.getTime() - DAY));
    const basket = {
      externalId: "o-refund-lines",
      status: "confirmed" as const,
      currency: "USD",
      total: 9000,
      clickIds: [click],
      lines: [
        line("shoe-line", { productId: "shoe", unitPrice: 6000, discount: 600, amount: 5400 }),
        line("sock-line", { productId: "sock", unitPrice: 4000, discount: 400, amount: 3600 }),
      ],
      placedAt: T0,
      sourceUpdatedAt: T0,
    };
    const placed = await ingestOrder(db, store.id, basket, { now: T0 });
    // 54.00 × 20% + 36.00 × the campaign's 10%.
    expect(placed.commissions.map((c) => c.original)).toEqual([1440]);
    const stored = await db.commission.findFirstOrThrow({ where: { conversionId: placed.conversionId } });
    expect(JSON.parse(stored.lines)).toEqual([
      { lineId: "shoe-line", amount: 1080 },
      { lineId: "sock-line", amount: 360 },
    ]);
    // The socks come back: their 3.60 goes, the shoe's 10.80 stays (a share of the order would leave 8.64).
    const refunded = await addOrderRefund(
      db,
      store.id,
      "o-refund-lines",
      { id: "r-sock", amount: 3600, lines: [{ lineId: "sock-line", quantity: 1, amount: 3600 }] },
      { now: T0 },
    );
    expect(refunded?.commissions.map((c) => c.amount)).toEqual([1080]);
    // A refund of an amount (no lines) then takes its share of what is left: 27.00 of the shoe's 54.00.
    const more = await addOrderRefund(db, store.id, "o-refund-lines", { id: "r-amount", amount: 2700 }, { now: T0 });
    expect(more?.commissions.map((c) => c.amount)).toEqual([540]);
  });

  it("says what is wrong with the items", () => {
    const valid = { type: "purchase", occurred_at: T0.toISOString(), click_id: "tm_AbCdEfGhIjKlMnOp", order_id: "x" };
    const problems = (body: Record<string, unknown>) => {
      const parsed = ConversionRequestSchema.safeParse({ ...valid, ...body });
      return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    const item = { quantity: 1, unit_price: "10.00" };
    expect(problems({ value: "10", currency: "USD", items: [item] })).toEqual([]);
    expect(problems({ items: [item] })).toContain(
      "items: items describe a purchase: give type purchase and value (the order total)",
    );
    expect(problems({ value: "10", currency: "USD", items: [item], items_total: "10" })).toContain(
      "items_total: give items or items_total, not both: the items' total is the commission base",
    );
    expect(
      problems({
        value: "10",
        currency: "USD",
        items: [
          { ...item, id: "a" },
          { ...item, id: "a" },
        ],
      }),
    ).toContain("items: each item needs its own id");
    expect(problems({ value: "10", currency: "USD", items: [{ ...item, unit_price: "-1" }] })[0]).toMatch(
      /^items\.0\.unit_price/,
    );
  });
});
