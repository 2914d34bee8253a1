import type { Period } from "../campaigns/commission-plan.ts";
import { type Progress, periodKey, periodRange } from "../commissions/tiers-bonuses.ts";
import { type Db, sql } from "../db/client.ts";
import type { Tx } from "../db/lock-rows.ts";
import { toSafeNumber } from "../shared/db-errors.ts";

// A creator's progress in a campaign and period, read from the ledger: the purchases credited to them that
// still count (pending, approved or paid), by the conversion's time, and their credited sales. Read inside the
// attribution transaction after the campaign's row is locked (ledger/reserve.ts openBudgets), so concurrent
// attributions of one campaign see each other's commissions; within a batch the tracker adds what the batch
// credits itself.

export interface ProgressTracker {
  /** The figures before `add`, and after it; `add` is then counted for the next caller. */
  advance(
    campaignId: string,
    creatorId: string,
    period: Period,
    at: Date,
    add: Progress,
  ): Promise<{ before: Progress; after: Progress }>;
  /** The figures so far, without counting anything. */
  peek(campaignId: string, creatorId: string, period: Period, at: Date): Promise<Progress>;
}

export function progressTracker(tx: Tx | Db, storeId: string): ProgressTracker {
  const known = new Map<string, Progress>();
  async function current(campaignId: string, creatorId: string, period: Period, at: Date): Promise<[string, Progress]> {
    const key = `${campaignId}|${creatorId}|${periodKey(period, at)}`;
    const cached = known.get(key);
    if (cached) return [key, cached];
    const { start, end } = periodRange(period, at);
    const [row] = await tx.$queryRaw<{ n: bigint | number; sales: bigint | number | null }[]>(
      sql`SELECT COUNT(*) AS n, CAST(COALESCE(SUM(c.credit), 0) AS BIGINT) AS sales FROM "Commission" c JOIN "Conversion" v ON v.id = c."conversionId"
        WHERE c."storeId" = ${storeId} AND c."campaignId" = ${campaignId} AND c."creatorId" = ${creatorId}
        AND c.goal = 'purchase' AND c.status IN ('pending', 'approved', 'paid')
        AND v."occurredAt" >= ${start} AND v."occurredAt" < ${end}`,
    );
    const progress = { conversions: toSafeNumber(row?.n ?? 0), sales: toSafeNumber(row?.sales ?? 0) };
    known.set(key, progress);
    return [key, progress];
  }
  return {
    async peek(campaignId, creatorId, period, at) {
      return (await current(campaignId, creatorId, period, at))[1];
    },
    async advance(campaignId, creatorId, period, at, add) {
      const [key, before] = await current(campaignId, creatorId, period, at);
      const after = { conversions: before.conversions + add.conversions, sales: before.sales + add.sales };
      known.set(key, after);
      return { before, after };
    },
  };
}
