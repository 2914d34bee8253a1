import type { Db } from "../db/client.ts";
import { inChunks } from "../db/sql.ts";
import { toSafeNumber } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";
import { payoutsToCsv } from "./manual-provider.ts";
import { toCreatorPayoutAccount } from "./payout-settings.ts";
import { PayoutMethodSchema } from "./provider.ts";

/** The run as CSV for whoever pays it by hand (every payout not cancelled). */
export async function payoutRunCsv(db: Db, runId: string, storeId?: string): Promise<string> {
  const run = await db.payoutRun.findFirst({ where: { id: runId, ...(storeId ? { storeId } : {}) } });
  if (!run) throw new AppError("not_found", `payout run ${runId} not found`);
  const payouts = await db.payout.findMany({
    where: { storeId: run.storeId, runId, status: { not: "cancelled" } },
    orderBy: [{ creatorId: "asc" }, { id: "asc" }],
  });
  const creatorIds = [...new Set(payouts.map((p) => p.creatorId))];
  const [creators, accounts] = await Promise.all([
    inChunks(creatorIds, (ids) => db.creator.findMany({ where: { storeId: run.storeId, id: { in: ids } } })),
    inChunks(creatorIds, (ids) =>
      db.creatorPayoutAccount.findMany({ where: { storeId: run.storeId, creatorId: { in: ids } } }),
    ),
  ]);
  const creatorById = new Map(creators.map((c) => [c.id, c]));
  const accountBy = new Map(accounts.map((a) => [a.creatorId, toCreatorPayoutAccount(a)]));
  return payoutsToCsv(
    payouts.map((p) => {
      const account = accountBy.get(p.creatorId);
      return {
        payoutId: p.id,
        runId: p.runId,
        creatorId: p.creatorId,
        creatorName: creatorById.get(p.creatorId)?.name ?? "",
        creatorEmail: creatorById.get(p.creatorId)?.email ?? null,
        amount: toSafeNumber(p.amount),
        currency: p.currency,
        method: PayoutMethodSchema.catch("manual").parse(p.method),
        destination: {
          stripeAccountId: account?.stripeAccountId ?? null,
          paypalEmail: account?.paypalEmail ?? null,
          details: account?.details ?? {},
        },
        status: p.status,
        reference: p.providerReference,
      };
    }),
  );
}
