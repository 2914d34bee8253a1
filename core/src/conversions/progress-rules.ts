import type { Campaign } from "../campaigns/campaign.ts";
import type { Bonus } from "../campaigns/commission-plan.ts";
import { bonusesCrossed, type Progress, tierAt } from "../commissions/tiers-bonuses.ts";
import type { Creator } from "../creators/creator.ts";
import type { ProgressTracker } from "./creator-progress.ts";
import { type AttributionPlan, type ConversionFacts, planAttribution } from "./plan-attribution.ts";
import type { ResolvedTouch } from "./touches.ts";

// Tiers and bonuses need each creator's progress in the period, which only the attribution transaction knows
// (creator-progress.ts). The plan made before the transaction is made again with each creator's tier, and
// every commission that counts moves its creator on, naming the bonuses it reaches.

export function usesProgress(campaign: Campaign | null): campaign is Campaign {
  return Boolean(campaign && (campaign.commissionPlan.tiers || campaign.commissionPlan.bonuses.length > 0));
}

export async function applyProgressRules(input: {
  plan: AttributionPlan;
  touches: readonly ResolvedTouch[];
  facts: ConversionFacts;
  campaigns: ReadonlyMap<string, Campaign>;
  creators: ReadonlyMap<string, Creator>;
  progress: ProgressTracker;
}): Promise<{ plan: AttributionPlan; bonuses: { creatorId: string; bonus: Bonus }[] }> {
  const { facts, progress } = input;
  let plan = input.plan;
  const campaign = plan.campaign;
  if (facts.kind !== "purchase" || !usesProgress(campaign)) return { plan, bonuses: [] };
  const { tiers, bonuses } = campaign.commissionPlan;
  const at = facts.occurredAt;
  if (tiers) {
    const tierOf = new Map<string, number>();
    for (const c of plan.commissions) {
      if (!c.verdict.ok) continue;
      const so = await progress.peek(campaign.id, c.creatorId, tiers.period, at);
      tierOf.set(c.creatorId, tierAt(tiers, { sales: so.sales + c.credit, conversions: so.conversions + 1 }));
    }
    if ([...tierOf.values()].some((t) => t > 0))
      plan = planAttribution(input.touches, input.campaigns, input.creators, facts, tierOf);
  }
  const periods = [...new Set([...(tiers ? [tiers.period] : []), ...bonuses.map((b) => b.period)])];
  const reached: { creatorId: string; bonus: Bonus }[] = [];
  for (const c of plan.commissions) {
    if (!c.verdict.ok) continue;
    const moved = new Map<string, { before: Progress; after: Progress }>();
    for (const period of periods)
      moved.set(
        period,
        await progress.advance(campaign.id, c.creatorId, period, at, { sales: c.credit, conversions: 1 }),
      );
    for (const bonus of bonusesCrossed(bonuses, (period) => moved.get(period)!))
      reached.push({ creatorId: c.creatorId, bonus });
  }
  return { plan, bonuses: reached };
}
