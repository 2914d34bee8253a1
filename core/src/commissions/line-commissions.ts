import { allocateMinorUnits } from "../attribution/allocate-minor-units.ts";
import type { CommissionRule } from "../campaigns/campaign.ts";
import { type LineRate, type ProductRule, type RuleTarget, TARGET_SPECIFICITY } from "../campaigns/commission-plan.ts";
import { mulDivRoundHalfUp } from "./mul-div.ts";

// Commissions line by line: each line of an order gets the most specific rule that names it (its variant's,
// else its product's, else the first of its collections' in the merchant's list), else the campaign's
// default. The order's commission is computed once, exactly, and split over the lines by largest remainder,
// so the lines add up to it to the minor unit; a refund of some lines then takes back exactly their part.

const BASIS_POINTS = 10_000n;

/** The parts of an order line (orders/normalized-order.ts) that rules read. */
export interface RuleLine {
  id: string;
  productId: string | null;
  variantId: string | null;
  collectionIds: readonly string[];
  quantity: number;
  /** The line's items base, minor units. */
  amount: number;
  giftCard?: boolean;
}

/** Which rule a line got: a product rule by its target and id, the default, or none (a gift card). */
export type AppliedRule =
  | { source: RuleTarget; id: string; rate: LineRate }
  | { source: "default"; id: null; rate: CommissionRule | null }
  | { source: "gift_card"; id: null; rate: null };

/** Rules indexed for lookup; build once per campaign, use for every line. */
export interface RuleIndex {
  variant: Map<string, ProductRule>;
  product: Map<string, ProductRule>;
  /** Collection id -> its rule and the rule's position in the merchant's list (first listed wins a tie). */
  collection: Map<string, { rule: ProductRule; position: number }>;
}

export function indexRules(rules: readonly ProductRule[]): RuleIndex {
  const index: RuleIndex = { variant: new Map(), product: new Map(), collection: new Map() };
  rules.forEach((rule, position) => {
    if (rule.target === "collection") {
      if (!index.collection.has(rule.id)) index.collection.set(rule.id, { rule, position });
    } else if (!index[rule.target].has(rule.id)) index[rule.target].set(rule.id, rule);
  });
  return index;
}

/** The rule that applies to a line: the most specific that names it, else the default. */
export function ruleForLine(line: RuleLine, index: RuleIndex, defaultRule: CommissionRule | null): AppliedRule {
  if (line.giftCard) return { source: "gift_card", id: null, rate: null };
  const variant = line.variantId ? index.variant.get(line.variantId) : undefined;
  if (variant) return { source: "variant", id: variant.id, rate: variant.rate };
  const product = line.productId ? index.product.get(line.productId) : undefined;
  if (product) return { source: "product", id: product.id, rate: product.rate };
  let best: { rule: ProductRule; position: number } | undefined;
  for (const id of line.collectionIds) {
    const found = index.collection.get(id);
    if (found && (!best || found.position < best.position)) best = found;
  }
  if (best) return { source: "collection", id: best.rule.id, rate: best.rule.rate };
  return { source: "default", id: null, rate: defaultRule };
}

export function specificityOf(applied: AppliedRule): number {
  return applied.source === "default" || applied.source === "gift_card" ? 0 : TARGET_SPECIFICITY[applied.source];
}

export interface LineCommission {
  lineId: string;
  /** Minor units; the lines' amounts add up to the order's commission. */
  amount: number;
  rule: AppliedRule;
}

export interface OrderLineCommissions {
  total: number;
  lines: LineCommission[];
}

/**
 * Each line's commission and their total. Percentages are summed exactly over the lines, rounded half up
 * once, and shared back over those lines by largest remainder on their exact shares; flat amounts per unit
 * are whole already. A
 * flat default (an amount per order) is earned once when any line falls to the default, and split over
 * those lines by their amounts (by count when they are all free). Excluded lines and gift cards earn 0.
 */
export function lineCommissions(
  lines: readonly RuleLine[],
  index: RuleIndex,
  defaultRule: CommissionRule | null,
): OrderLineCommissions {
  const applied = lines.map((line) => ruleForLine(line, index, defaultRule));
  const whole = lines.map(() => 0);
  const percentExact = lines.map(() => 0n);
  const flatLines: number[] = [];
  applied.forEach((rule, i) => {
    const line = lines[i]!;
    assertWhole(line.amount, "line amount");
    assertWhole(line.quantity, "line quantity");
    const rate = rule.rate;
    if (!rate || rate.type === "excluded") return;
    if (rate.type === "percentage") percentExact[i] = BigInt(line.amount) * BigInt(rate.basisPoints);
    else if (rate.type === "per_unit") whole[i] = rate.amount * line.quantity;
    else flatLines.push(i);
  });
  const percentParts = largestRemainder(percentExact, BASIS_POINTS);
  const flatParts = lines.map(() => 0);
  if (flatLines.length > 0 && defaultRule?.type === "flat") {
    const amounts = flatLines.map((i) => lines[i]!.amount);
    const weights = amounts.some((a) => a > 0) ? amounts : amounts.map(() => 1);
    allocateMinorUnits(defaultRule.amount, weights).forEach((part, k) => {
      flatParts[flatLines[k]!] = part;
    });
  }
  const result = lines.map((line, i) => ({
    lineId: line.id,
    amount: whole[i]! + percentParts[i]! + flatParts[i]!,
    rule: applied[i]!,
  }));
  const total = result.reduce((sum, l) => sum + l.amount, 0);
  if (!Number.isSafeInteger(total)) throw new RangeError(`commission ${total} is beyond the safe integer range`);
  return { total, lines: result };
}

/**
 * Exact shares numerator/denominator rounded so that they add up to their sum rounded half up: each share
 * gets its whole part, and the units left go one each to the largest fractional parts (the earlier line on a
 * tie). Each part is then within one minor unit of its exact share, and a whole share is never rounded.
 */
function largestRemainder(numerators: readonly bigint[], denominator: bigint): number[] {
  const sum = numerators.reduce((a, b) => a + b, 0n);
  const total = (2n * sum + denominator) / (2n * denominator);
  const parts = numerators.map((n) => n / denominator);
  let left = Number(total - parts.reduce((a, b) => a + b, 0n));
  const order = numerators
    .map((n, i) => ({ i, fraction: n % denominator }))
    .filter((x) => x.fraction > 0n)
    .sort((a, b) => (a.fraction === b.fraction ? a.i - b.i : a.fraction > b.fraction ? -1 : 1));
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i] = parts[i]! + 1n;
    left--;
  }
  return parts.map((p) => Number(p));
}

/** What a refund took back of one line (orders/normalized-order.ts RefundLine). */
export interface RefundedLine {
  lineId: string;
  quantity: number;
  amount: number;
}

/**
 * What each line's commission is worth once refunds took back some of its lines: a line keeps the share of
 * its commission that its amount still stands for (its units, when it cost nothing), and a line no refund
 * names keeps its commission exactly.
 */
export function lineCommissionsAfterRefunds(
  commissions: readonly { lineId: string; amount: number }[],
  lines: readonly Pick<RuleLine, "id" | "amount" | "quantity">[],
  refunded: readonly RefundedLine[],
): { lineId: string; amount: number }[] {
  const byLine = new Map<string, { quantity: number; amount: number }>();
  for (const r of refunded) {
    const sum = byLine.get(r.lineId) ?? { quantity: 0, amount: 0 };
    byLine.set(r.lineId, { quantity: sum.quantity + r.quantity, amount: sum.amount + r.amount });
  }
  const lineById = new Map(lines.map((l) => [l.id, l]));
  return commissions.map((c) => {
    const back = byLine.get(c.lineId);
    const line = lineById.get(c.lineId);
    if (!back || !line) return c;
    if (line.amount > 0) {
      const left = Math.max(0, line.amount - back.amount);
      return { lineId: c.lineId, amount: mulDivRoundHalfUp(c.amount, left, line.amount) };
    }
    if (line.quantity > 0) {
      const left = Math.max(0, line.quantity - back.quantity);
      return { lineId: c.lineId, amount: mulDivRoundHalfUp(c.amount, left, line.quantity) };
    }
    return c;
  });
}

function assertWhole(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}
