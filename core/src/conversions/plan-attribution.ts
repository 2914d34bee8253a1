import { allocateMinorUnits } from "../attribution/allocate-minor-units.ts";
import { attribute, eligibleTouches, type Touch } from "../attribution/index.ts";
import type { Campaign, CommissionRule, Goal } from "../campaigns/campaign.ts";
import { resolveRule, splitCommission } from "../commissions/index.ts";
import { indexRules, lineCommissions, type RuleLine } from "../commissions/line-commissions.ts";
import { ruleAtTier } from "../commissions/tiers-bonuses.ts";
import type { Creator } from "../creators/creator.ts";
import { evaluateRules, type RuleVerdict } from "../rules/index.ts";
import type { ResolvedTouch } from "./touches.ts";

export const CONVERSION_KINDS = ["purchase", "sign_up", "lead", "custom"] as const;
export type ConversionKind = (typeof CONVERSION_KINDS)[number];

/** The campaign goal a conversion kind pays under; a lead is paid like a sign-up. */
export function goalOf(kind: ConversionKind): Goal {
  return kind === "lead" ? "sign_up" : kind;
}

export interface ConversionFacts {
  kind: ConversionKind;
  /** The value on the items base (orders/commission-base.ts); for events, the value reported. */
  value: number;
  /** An order's value on the order total base; absent for events (then `value`). */
  orderTotal?: number;
  currency: string;
  occurredAt: Date;
  isTest: boolean;
  customerEmailHash: string | null;
  duplicate: boolean;
  /** An order's lines (orders/normalized-order.ts), when the platform listed them: product rates apply to them. */
  lines?: readonly RuleLine[];
}

export interface PlannedCredit {
  touch: ResolvedTouch;
  position: number;
  weightPpm: number;
  amount: number;
}

export interface PlannedCommission {
  creatorId: string;
  /** pending, or rejected with the rule that rejected it (budget is decided later, in the transaction). */
  verdict: RuleVerdict;
  amount: number;
  /** The creator's credited share of the base: what counts as their sales towards tiers and bonuses. */
  credit: number;
  /** The campaign tier the amount was computed at (0: none). */
  tier: number;
  /** The amount split over the order's lines, when product rates applied to them; [] otherwise. */
  lines: { lineId: string; amount: number }[];
}

export interface AttributionPlan {
  status: "attributed" | "unattributed" | "rejected";
  campaign: Campaign | null;
  credits: PlannedCredit[];
  commissions: PlannedCommission[];
  /** For a rejected conversion with no credited touch: the rule and why. */
  rejection: { rule: string; reason: string } | null;
}

function toTouch(t: ResolvedTouch): Touch {
  return { id: t.id, creatorId: t.creatorId, campaignId: t.campaignId, at: t.at, kind: t.kind };
}

/**
 * Decides who earned a conversion. One campaign takes the conversion, so an order never pays twice across
 * campaigns: the campaign (whose goals include this conversion's) with the most recent eligible touch,
 * a discount code winning a tie. That campaign's model and lookback then split the credit between its
 * creators; each creator's share passes the validation rules or is rejected with the rule's reason.
 */
export function planAttribution(
  touches: readonly ResolvedTouch[],
  campaigns: ReadonlyMap<string, Campaign>,
  creators: ReadonlyMap<string, Creator>,
  facts: ConversionFacts,
  /** Each creator's tier in the winning campaign, known inside the transaction (tiers-bonuses.ts); none: 0. */
  tiers: ReadonlyMap<string, number> = new Map(),
): AttributionPlan {
  const goal = goalOf(facts.kind);
  const at = facts.occurredAt.getTime();
  const candidates = touches.filter(
    (t) => campaigns.get(t.campaignId)?.goals.includes(goal) && creators.has(t.creatorId),
  );
  const byId = new Map(candidates.map((t) => [t.id, t]));

  let winner: { campaign: Campaign; touches: ResolvedTouch[]; latest: ResolvedTouch } | null = null;
  for (const campaign of new Set(candidates.map((t) => campaigns.get(t.campaignId)!))) {
    const own = candidates.filter((t) => t.campaignId === campaign.id && t.qualification !== "bot").map(toTouch);
    const eligible = eligibleTouches(own, at, campaign.lookbackDays).map((t) => byId.get(t.id)!);
    const latest = eligible.at(-1);
    if (!latest) continue;
    const better =
      !winner ||
      latest.at > winner.latest.at ||
      (latest.at === winner.latest.at &&
        (latest.kind === "discount_code" ? 0 : 1) - (winner.latest.kind === "discount_code" ? 0 : 1) < 0) ||
      (latest.at === winner.latest.at && latest.kind === winner.latest.kind && campaign.id < winner.campaign.id);
    if (better) winner = { campaign, touches: eligible, latest };
  }

  if (!winner) {
    // No touch counts. Name the rule that excluded the latest touch, so the merchant sees why.
    const latest = [...candidates].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1)).at(-1);
    if (!latest) return { status: "unattributed", campaign: null, credits: [], commissions: [], rejection: null };
    const campaign = campaigns.get(latest.campaignId)!;
    const verdict = evaluate(factsOnBase(facts, campaign), campaign, creators.get(latest.creatorId)!, latest);
    if (verdict.ok) return { status: "unattributed", campaign: null, credits: [], commissions: [], rejection: null };
    return {
      status: "rejected",
      campaign,
      credits: [],
      commissions: [],
      rejection: { rule: verdict.rule, reason: verdict.reason },
    };
  }

  const { campaign } = winner;
  // The campaign's commission base decides what its percentages (and its minimum order value) apply to.
  const onBase = factsOnBase(facts, campaign);
  const credits = attribute(winner.touches.map(toTouch), at, onBase.value, {
    model: campaign.attributionModel,
    lookbackDays: campaign.lookbackDays,
    halfLifeDays: campaign.halfLifeDays,
  }).map((c) => ({ touch: byId.get(c.touch.id)!, position: c.position, weightPpm: c.weightPpm, amount: c.amount }));

  // A creator with several touches gets one commission over the sum of their credit.
  const perCreator = new Map<string, { weightPpm: number; credit: number; latest: ResolvedTouch }>();
  for (const c of credits) {
    const entry = perCreator.get(c.touch.creatorId);
    if (entry) {
      entry.weightPpm += c.weightPpm;
      entry.credit += c.amount;
      if (c.touch.at >= entry.latest.at) entry.latest = c.touch;
    } else perCreator.set(c.touch.creatorId, { weightPpm: c.weightPpm, credit: c.amount, latest: c.touch });
  }
  const creatorIds = [...perCreator.keys()].sort();
  const plan = campaign.commissionPlan;
  // Product rates apply line by line to an order's items base; on the order total base there are no lines.
  const lines =
    goal === "purchase" && campaign.commissionBase === "items" && facts.lines?.length && plan.productRules.length
      ? facts.lines
      : null;
  const index = lines ? indexRules(plan.productRules) : null;
  const paying: {
    creatorId: string;
    weightPpm: number;
    credit: number;
    rule: CommissionRule;
    verdict: RuleVerdict;
    tier: number;
    lineWeights: { lineId: string; amount: number }[];
  }[] = [];
  for (const creatorId of creatorIds) {
    const entry = perCreator.get(creatorId)!;
    const creator = creators.get(creatorId)!;
    const resolved = resolveRule(goal, campaign.commissionRules, creator.commissionOverrides, campaign.id);
    const tier = goal === "purchase" ? (tiers.get(creatorId) ?? 0) : 0;
    const base = goal === "purchase" ? ruleAtTier(plan.tiers, tier, resolved) : resolved;
    let rule = base;
    let lineWeights: { lineId: string; amount: number }[] = [];
    if (lines && index) {
      // The whole order's commission under this creator's default, shared like a flat fee by their weight.
      const perLine = lineCommissions(lines, index, base);
      rule = { type: "flat", amount: perLine.total };
      lineWeights = perLine.lines.map((l) => ({ lineId: l.lineId, amount: l.amount }));
    }
    if (!rule) continue;
    paying.push({
      creatorId,
      weightPpm: entry.weightPpm,
      credit: entry.credit,
      rule,
      verdict: evaluate(onBase, campaign, creator, entry.latest, rule),
      tier,
      lineWeights,
    });
  }
  const amounts = splitCommission(paying);
  const commissions = paying.map((p, i) => ({
    creatorId: p.creatorId,
    verdict: p.verdict,
    amount: amounts[i]!,
    credit: p.credit,
    tier: p.tier,
    lines: splitOverLines(amounts[i]!, p.lineWeights),
  }));
  const allRejected = commissions.length > 0 && commissions.every((c) => !c.verdict.ok);
  const first = commissions.find((c) => !c.verdict.ok)?.verdict;
  return {
    status: allRejected ? "rejected" : "attributed",
    campaign,
    credits,
    commissions,
    rejection: allRejected && first && !first.ok ? { rule: first.rule, reason: first.reason } : null,
  };
}

/** The conversion's facts with its value on the campaign's commission base. */
export function factsOnBase(facts: ConversionFacts, campaign: Pick<Campaign, "commissionBase">): ConversionFacts {
  if (campaign.commissionBase !== "order_total" || facts.orderTotal === undefined) return facts;
  return { ...facts, value: facts.orderTotal };
}

function evaluate(
  facts: ConversionFacts,
  campaign: Campaign,
  creator: Creator,
  touch: ResolvedTouch,
  rule: CommissionRule | null = null,
): RuleVerdict {
  return evaluateRules({
    commission: rule,
    conversion: facts,
    campaign,
    creator: { emailHash: creator.emailHash },
    touch: { kind: touch.kind, at: new Date(touch.at), qualification: touch.qualification },
  });
}

/** A creator's amount over the order's lines in proportion to what each line earned, by largest remainder. */
function splitOverLines(amount: number, lines: readonly { lineId: string; amount: number }[]) {
  if (lines.length === 0) return [];
  const total = lines.reduce((sum, l) => sum + l.amount, 0);
  const parts =
    total > 0
      ? allocateMinorUnits(
          amount,
          lines.map((l) => l.amount),
        )
      : lines.map(() => 0);
  return lines.map((l, i) => ({ lineId: l.lineId, amount: parts[i]! }));
}
