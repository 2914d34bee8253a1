import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CommissionRule } from "../campaigns/campaign.ts";
import { CommissionPlanSchema, type ProductRule } from "../campaigns/commission-plan.ts";
import {
  indexRules,
  lineCommissions,
  lineCommissionsAfterRefunds,
  type RuleLine,
  ruleForLine,
  specificityOf,
} from "./line-commissions.ts";

const NUM_RUNS = 300;

const idFrom = (prefix: string) => fc.constantFrom(`${prefix}1`, `${prefix}2`, `${prefix}3`);

const lineArbitrary = fc.record({
  productId: fc.option(idFrom("p"), { nil: null }),
  variantId: fc.option(idFrom("v"), { nil: null }),
  collectionIds: fc.uniqueArray(idFrom("c"), { maxLength: 3 }),
  quantity: fc.integer({ min: 0, max: 20 }),
  amount: fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(0, 1, 99, 10_000)),
  giftCard: fc.boolean().map((b) => b && Math.random() < 0.2),
});

const linesArbitrary = fc
  .array(lineArbitrary, { minLength: 0, maxLength: 8 })
  .map((lines) => lines.map((l, i): RuleLine => ({ id: `l${i}`, ...l })));

const rateArbitrary = fc.oneof(
  fc.record({ type: fc.constant("percentage" as const), basisPoints: fc.integer({ min: 0, max: 10_000 }) }),
  fc.record({ type: fc.constant("per_unit" as const), amount: fc.integer({ min: 0, max: 5_000 }) }),
  fc.constant({ type: "excluded" as const }),
);

const ruleArbitrary: fc.Arbitrary<ProductRule> = fc.oneof(
  fc.record({ target: fc.constant("variant" as const), id: idFrom("v"), rate: rateArbitrary }),
  fc.record({ target: fc.constant("product" as const), id: idFrom("p"), rate: rateArbitrary }),
  fc.record({ target: fc.constant("collection" as const), id: idFrom("c"), rate: rateArbitrary }),
);

const rulesArbitrary = fc.uniqueArray(ruleArbitrary, {
  maxLength: 8,
  selector: (r) => `${r.target}:${r.id}`,
});

const defaultArbitrary: fc.Arbitrary<CommissionRule | null> = fc.oneof(
  fc.record({ type: fc.constant("percentage" as const), basisPoints: fc.integer({ min: 0, max: 10_000 }) }),
  fc.record({ type: fc.constant("flat" as const), amount: fc.integer({ min: 0, max: 10_000 }) }),
  fc.constant(null),
);

/** The exact (unrounded) commission of each line, in minor units, as a double. */
function exactShares(lines: readonly RuleLine[], rules: readonly ProductRule[], fallback: CommissionRule | null) {
  const index = indexRules(rules);
  return lines.map((line) => {
    const rate = ruleForLine(line, index, fallback).rate;
    if (!rate || rate.type === "excluded" || rate.type === "flat") return null;
    return rate.type === "percentage" ? (line.amount * rate.basisPoints) / 10_000 : rate.amount * line.quantity;
  });
}

describe("lineCommissions", () => {
  it("pays 10% by default, 20% on a product, 5.00 a unit on a collection and nothing on an excluded variant", () => {
    const rules: ProductRule[] = [
      { target: "product", id: "shoe", rate: { type: "percentage", basisPoints: 2000 } },
      { target: "collection", id: "socks", rate: { type: "per_unit", amount: 500 } },
      { target: "variant", id: "shoe-gift", rate: { type: "excluded" } },
    ];
    const lines: RuleLine[] = [
      { id: "1", productId: "shoe", variantId: "shoe-42", collectionIds: ["socks"], quantity: 1, amount: 10_000 },
      { id: "2", productId: "sock", variantId: null, collectionIds: ["socks"], quantity: 3, amount: 1_500 },
      { id: "3", productId: "shoe", variantId: "shoe-gift", collectionIds: [], quantity: 1, amount: 5_000 },
      { id: "4", productId: "hat", variantId: null, collectionIds: [], quantity: 1, amount: 2_505 },
      { id: "5", productId: null, variantId: null, collectionIds: [], quantity: 1, amount: 5_000, giftCard: true },
    ];
    const result = lineCommissions(lines, indexRules(rules), { type: "percentage", basisPoints: 1000 });
    expect(result.lines.map((l) => [l.lineId, l.amount, l.rule.source])).toEqual([
      ["1", 2000, "product"],
      ["2", 1500, "collection"],
      ["3", 0, "variant"],
      ["4", 251, "default"], // 250.5 rounds half up
      ["5", 0, "gift_card"],
    ]);
    expect(result.total).toBe(3751);
  });

  it("earns a flat default once per order, split over the lines that fall to it", () => {
    const lines: RuleLine[] = [
      { id: "1", productId: "a", variantId: null, collectionIds: [], quantity: 1, amount: 1000 },
      { id: "2", productId: "b", variantId: null, collectionIds: [], quantity: 1, amount: 2000 },
      { id: "3", productId: "x", variantId: null, collectionIds: [], quantity: 1, amount: 2000 },
    ];
    const rules: ProductRule[] = [{ target: "product", id: "x", rate: { type: "excluded" } }];
    const result = lineCommissions(lines, indexRules(rules), { type: "flat", amount: 1000 });
    expect(result.lines.map((l) => l.amount)).toEqual([333, 667, 0]);
    expect(result.total).toBe(1000);
  });

  it("keeps each line within a minor unit of its exact share when the total's rounding is shared back", () => {
    // 66.68% of 0.01, 0.01 and 100.00: exactly 0.006668, 0.006668 and 66.68; the order earns 66.69.
    const line = (id: string, amount: number): RuleLine => ({
      id,
      productId: null,
      variantId: null,
      collectionIds: [],
      quantity: 1,
      amount,
    });
    const result = lineCommissions([line("a", 1), line("b", 1), line("c", 10_000)], indexRules([]), {
      type: "percentage",
      basisPoints: 6668,
    });
    expect(result.lines.map((l) => l.amount)).toEqual([1, 0, 6668]);
    expect(result.total).toBe(6669);
  });

  it("adds up exactly: the lines sum to the total, each within one minor unit of its exact share", () => {
    fc.assert(
      fc.property(linesArbitrary, rulesArbitrary, defaultArbitrary, (lines, rules, fallback) => {
        const result = lineCommissions(lines, indexRules(rules), fallback);
        expect(result.lines.reduce((s, l) => s + l.amount, 0)).toBe(result.total);
        const exact = exactShares(lines, rules, fallback);
        const exactPercent = exact.reduce<number>((s, e) => s + (e ?? 0), 0);
        const perUnit = lines.reduce((s, line, i) => {
          const rate = ruleForLine(line, indexRules(rules), fallback).rate;
          return s + (rate?.type === "per_unit" ? exact[i]! : 0);
        }, 0);
        const flat =
          fallback?.type === "flat" &&
          lines.some((l) => ruleForLine(l, indexRules(rules), fallback).source === "default")
            ? fallback.amount
            : 0;
        // The order's total is its exact commission rounded once (half up), never line by line.
        expect(Math.abs(result.total - (exactPercent + flat))).toBeLessThanOrEqual(0.5 + 1e-9);
        expect(perUnit).toBe(Math.round(perUnit));
        result.lines.forEach((l, i) => {
          if (exact[i] !== null) expect(Math.abs(l.amount - exact[i]!)).toBeLessThan(1);
          else if (l.rule.rate === null || l.rule.rate.type === "excluded") expect(l.amount).toBe(0);
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("lets the most specific rule win: a less specific rule added for a line never changes the rule it gets", () => {
    fc.assert(
      fc.property(linesArbitrary, rulesArbitrary, ruleArbitrary, defaultArbitrary, (lines, rules, extra, fallback) => {
        if (rules.some((r) => r.target === extra.target && r.id === extra.id)) return;
        const before = indexRules(rules);
        const after = indexRules([...rules, extra]);
        for (const line of lines) {
          const was = ruleForLine(line, before, fallback);
          const now = ruleForLine(line, after, fallback);
          // The variant's rule beats the product's beats the collections' beats the default.
          expect(specificityOf(now)).toBeGreaterThanOrEqual(specificityOf(was));
          const names =
            line.giftCard !== true &&
            ((extra.target === "variant" && line.variantId === extra.id) ||
              (extra.target === "product" && line.productId === extra.id) ||
              (extra.target === "collection" && line.collectionIds.includes(extra.id)));
          if (!names) expect(now).toEqual(was);
          else if (specificityOf(was) < { variant: 3, product: 2, collection: 1 }[extra.target])
            expect(now).toEqual({ source: extra.target, id: extra.id, rate: extra.rate });
          else if (specificityOf(was) > { variant: 3, product: 2, collection: 1 }[extra.target])
            expect(now).toEqual(was);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe("lineCommissionsAfterRefunds", () => {
  it("takes back exactly the refunded lines' commission: the others keep theirs to the minor unit", () => {
    const refundArbitrary = fc.array(
      fc.record({
        line: fc.nat(7),
        quantityShare: fc.double({ min: 0, max: 1, noNaN: true }),
        amountShare: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(
        linesArbitrary,
        rulesArbitrary,
        defaultArbitrary,
        refundArbitrary,
        (lines, rules, fallback, picks) => {
          const original = lineCommissions(lines, indexRules(rules), fallback).lines;
          const refunded = picks
            .filter((p) => p.line < lines.length)
            .map((p) => {
              const line = lines[p.line]!;
              return {
                lineId: line.id,
                quantity: Math.floor(line.quantity * p.quantityShare),
                amount: Math.floor(line.amount * p.amountShare),
              };
            });
          const after = lineCommissionsAfterRefunds(original, lines, refunded);
          const named = new Set(refunded.map((r) => r.lineId));
          after.forEach((l, i) => {
            const was = original[i]!.amount;
            if (!named.has(l.lineId)) expect(l.amount).toBe(was);
            else expect(l.amount).toBeLessThanOrEqual(was);
            expect(l.amount).toBeGreaterThanOrEqual(0);
          });
          // A line refunded in full earns nothing.
          const full = lines.filter((l) => l.amount > 0);
          const cleared = lineCommissionsAfterRefunds(
            original,
            lines,
            full.map((l) => ({ lineId: l.id, quantity: l.quantity, amount: l.amount })),
          );
          cleared.forEach((l) => {
            if (full.some((f) => f.id === l.lineId)) expect(l.amount).toBe(0);
          });
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it("halves a line's commission when half of it is refunded, leaving the other line alone", () => {
    const lines: RuleLine[] = [
      { id: "a", productId: null, variantId: null, collectionIds: [], quantity: 2, amount: 5000 },
      { id: "b", productId: null, variantId: null, collectionIds: [], quantity: 1, amount: 3333 },
    ];
    const original = lineCommissions(lines, indexRules([]), { type: "percentage", basisPoints: 1000 }).lines;
    expect(original.map((l) => l.amount)).toEqual([500, 333]);
    const after = lineCommissionsAfterRefunds(original, lines, [{ lineId: "a", quantity: 1, amount: 2500 }]);
    expect(after.map((l) => l.amount)).toEqual([250, 333]);
  });
});

describe("CommissionPlanSchema", () => {
  it("refuses two rules for the same product and tiers that do not go up, saying why", () => {
    const issues = (input: unknown) => {
      const parsed = CommissionPlanSchema.safeParse(input);
      return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
    };
    const rule = { target: "product", id: "shoe", rate: { type: "percentage", basisPoints: 1500 } };
    expect(issues({ productRules: [rule] })).toEqual([]);
    expect(issues({ productRules: [rule, rule] })).toEqual(["each variant, product and collection can have one rule"]);
    expect(
      issues({
        tiers: {
          metric: "sales",
          period: "month",
          steps: [
            { threshold: 100_000, basisPoints: 1500 },
            { threshold: 100_000, basisPoints: 2000 },
          ],
        },
      }),
    ).toEqual(["tier thresholds must go up, each above the one before"]);
    expect(
      issues({
        bonuses: [{ key: "First Sale", metric: "conversions", period: "campaign", threshold: 1, amount: 500 }],
      }),
    ).toEqual(["use 1-40 lowercase letters, digits, - or _"]);
  });
});
