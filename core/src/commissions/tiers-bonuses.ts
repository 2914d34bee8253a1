import type { CommissionRule } from "../campaigns/campaign.ts";
import type { Bonus, Metric, Period, Tiers } from "../campaigns/commission-plan.ts";

// Tiers and bonuses as decisions on a creator's progress in a period. Progress is counted when a
// commission is first credited (the order being credited included), in a counter the database increments
// atomically, so concurrent conversions each see a distinct figure: the tier applies exactly from the
// threshold on, and exactly one conversion crosses each bonus's threshold.

/** The period an instant falls in, in UTC: "2026-11", "2026-Q4", "2026", or "all" for the campaign's life. */
export function periodKey(period: Period, at: Date): string {
  const year = at.getUTCFullYear();
  switch (period) {
    case "month":
      return `${year}-${String(at.getUTCMonth() + 1).padStart(2, "0")}`;
    case "quarter":
      return `${year}-Q${Math.floor(at.getUTCMonth() / 3) + 1}`;
    case "year":
      return String(year);
    case "campaign":
      return "all";
  }
}

/** The period an instant falls in as a half-open UTC range [start, end). */
export function periodRange(period: Period, at: Date): { start: Date; end: Date } {
  const year = at.getUTCFullYear();
  switch (period) {
    case "month":
      return {
        start: new Date(Date.UTC(year, at.getUTCMonth(), 1)),
        end: new Date(Date.UTC(year, at.getUTCMonth() + 1, 1)),
      };
    case "quarter": {
      const first = Math.floor(at.getUTCMonth() / 3) * 3;
      return { start: new Date(Date.UTC(year, first, 1)), end: new Date(Date.UTC(year, first + 3, 1)) };
    }
    case "year":
      return { start: new Date(Date.UTC(year, 0, 1)), end: new Date(Date.UTC(year + 1, 0, 1)) };
    case "campaign":
      return { start: new Date(Date.UTC(1970, 0, 1)), end: new Date(Date.UTC(9999, 0, 1)) };
  }
}

/** A creator's figures in one period: sales (items base, minor units) and conversions credited. */
export interface Progress {
  sales: number;
  conversions: number;
}

export function progressOn(metric: Metric, progress: Progress): number {
  return metric === "sales" ? progress.sales : progress.conversions;
}

/** The tier reached at `progress` (the order being credited included): 1 for the first step, 0 for none. */
export function tierAt(tiers: Tiers | null, progress: Progress): number {
  if (!tiers) return 0;
  const value = progressOn(tiers.metric, progress);
  let tier = 0;
  tiers.steps.forEach((step, i) => {
    if (value >= step.threshold) tier = i + 1;
  });
  return tier;
}

/**
 * The default rule at a tier: the tier's percentage replaces the campaign's (or the creator's) default; at
 * tier 0, or for a flat default, the default stands.
 */
export function ruleAtTier(
  tiers: Tiers | null,
  tier: number,
  defaultRule: CommissionRule | null,
): CommissionRule | null {
  if (!tiers || tier <= 0 || defaultRule?.type === "flat") return defaultRule;
  const step = tiers.steps[tier - 1];
  return step ? { type: "percentage", basisPoints: step.basisPoints } : defaultRule;
}

/** The bonuses an order earns: those whose threshold it crosses, from `before` to `after` in their period. */
export function bonusesCrossed(
  bonuses: readonly Bonus[],
  progressOf: (period: Period) => { before: Progress; after: Progress },
): Bonus[] {
  return bonuses.filter((bonus) => {
    const { before, after } = progressOf(bonus.period);
    return progressOn(bonus.metric, before) < bonus.threshold && progressOn(bonus.metric, after) >= bonus.threshold;
  });
}

/** The bonus's key for a creator and period: stored unique, so it is paid once whatever runs concurrently. */
export function bonusKey(
  campaignId: string,
  creatorId: string,
  bonus: Pick<Bonus, "key" | "period">,
  at: Date,
): string {
  return `${campaignId}:${creatorId}:${bonus.key}:${periodKey(bonus.period, at)}`;
}
