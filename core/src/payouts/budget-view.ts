import { type BudgetBreakdown, budgetBreakdown } from "../commissions/index.ts";
import type { Db } from "../db/client.ts";
import { toSafeNumber } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";

export interface CampaignBudget extends BudgetBreakdown {
  campaignId: string;
  currency: string;
  cap: number | null;
  /** Campaign.budgetUsed, kept by guarded updates; equals `used` when the ledger balances. */
  budgetUsed: number;
}

/**
 * A campaign's budget from its ledger: reserved by pending commissions, released to approved ones, paid,
 * and what remains under the cap, in the campaign's currency.
 */
export async function budgetOfCampaign(db: Db, storeId: string, campaignId: string): Promise<CampaignBudget> {
  const campaign = await db.campaign.findFirst({ where: { id: campaignId, storeId } });
  if (!campaign) throw new AppError("not_found", `campaign ${campaignId} not found`);
  const entries = await db.budgetEntry.findMany({
    where: { storeId, campaignId },
    select: { kind: true, amount: true },
  });
  const cap = campaign.budgetCap === null ? null : toSafeNumber(campaign.budgetCap);
  return {
    campaignId,
    currency: campaign.currency,
    cap,
    budgetUsed: toSafeNumber(campaign.budgetUsed),
    ...budgetBreakdown(
      entries.map((e) => ({
        kind: e.kind as Parameters<typeof budgetBreakdown>[0][number]["kind"],
        amount: toSafeNumber(e.amount),
      })),
      cap,
    ),
  };
}
