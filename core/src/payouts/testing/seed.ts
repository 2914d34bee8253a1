// Approved commissions made the way production makes them: clicks, orders through ingestOrder, and the
// approval sweep after the holding period.

import { budgetBreakdownOfCommissions, type CommissionStatus } from "../../commissions/index.ts";
import { approveDueCommissions } from "../../conversions/approve-due.ts";
import type { Db } from "../../db/client.ts";
import { addOrderRefund, ingestOrder } from "../../orders/ingest-order.ts";
import { toSafeNumber } from "../../shared/db-errors.ts";
import { DAY, insertClick, seedProgram } from "../../testing/fixtures.ts";
import { budgetOfCampaign } from "../budget-view.ts";

export const T0 = new Date("2026-11-02T12:00:00.000Z");
/** After the default 30-day holding period of orders placed at T0. */
export const AFTER_HOLD = new Date(T0.getTime() + 31 * DAY);

export interface SeedCreator {
  name: string;
  email?: string;
  /** Order totals in minor units; the default campaign pays 10%. */
  orders: number[];
  currency?: string;
}

export async function seedApproved(db: Db, creators: SeedCreator[], options: { budgetCap?: number | null } = {}) {
  const program = await seedProgram(db, {
    campaign: { budgetCap: options.budgetCap ?? null },
    creators: creators.map((c) => ({ name: c.name, ...(c.email ? { email: c.email } : {}) })),
  });
  const orders: { creatorId: string; externalId: string; total: number; currency: string }[] = [];
  let n = 0;
  for (const [i, spec] of creators.entries()) {
    for (const total of spec.orders) {
      const click = await insertClick(db, program.links[i]!, new Date(T0.getTime() - DAY));
      const externalId = `o-${program.store.id}-${++n}`;
      const currency = spec.currency ?? "USD";
      await ingestOrder(
        db,
        program.store.id,
        {
          externalId,
          status: "confirmed",
          currency,
          total,
          clickIds: [click],
          placedAt: T0,
          sourceUpdatedAt: T0,
        },
        { now: T0 },
      );
      orders.push({ creatorId: program.creators[i]!.id, externalId, total, currency });
    }
  }
  await approveDueCommissions(db, AFTER_HOLD, program.store.id);
  return { ...program, orders };
}

/** A new approved order for a creator of an already seeded program. */
export async function addApprovedOrder(
  db: Db,
  program: Awaited<ReturnType<typeof seedApproved>>,
  creatorIndex: number,
  total: number,
  placedAt: Date,
  currency = "USD",
) {
  const click = await insertClick(db, program.links[creatorIndex]!, new Date(placedAt.getTime() - DAY));
  const externalId = `o-${program.store.id}-x${program.orders.length + 1}`;
  await ingestOrder(
    db,
    program.store.id,
    { externalId, status: "confirmed", currency, total, clickIds: [click], placedAt, sourceUpdatedAt: placedAt },
    { now: placedAt },
  );
  const now = new Date(placedAt.getTime() + 31 * DAY);
  await approveDueCommissions(db, now, program.store.id);
  program.orders.push({ creatorId: program.creators[creatorIndex]!.id, externalId, total, currency });
  return { externalId, approvedAt: now };
}

export async function refundOrder(db: Db, storeId: string, externalId: string, amount: number, now: Date) {
  return addOrderRefund(db, storeId, externalId, { id: `r-${externalId}-${amount}-${now.getTime()}`, amount }, { now });
}

/**
 * The check the issue asks for: the campaign's ledger (reserved / released / paid / remaining) recomputed
 * from the commissions themselves, and Campaign.budgetUsed, must agree.
 */
export async function ledgerAgreesWithCommissions(db: Db, storeId: string, campaignId: string) {
  const budget = await budgetOfCampaign(db, storeId, campaignId);
  // The budget counts only commissions in the campaign's currency.
  const commissions = await db.commission.findMany({ where: { storeId, campaignId, currency: budget.currency } });
  const expected = budgetBreakdownOfCommissions(
    commissions.map((c) => ({ status: c.status as CommissionStatus, amount: toSafeNumber(c.amount) })),
    budget.cap,
  );
  const { reserved, released, paid, used, remaining } = budget;
  return { ledger: { reserved, released, paid, used, remaining }, expected, budgetUsed: budget.budgetUsed };
}
