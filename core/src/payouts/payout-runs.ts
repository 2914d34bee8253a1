// Payout runs and payouts in storage. States:
//   run:    draft -> approved -> completed (every payout paid or cancelled) | cancelled
//   payout: draft -> approved -> processing -> paid | failed;  failed -> (retry) approved -> processing …;
//           draft | approved | failed -> cancelled (its commissions and adjustments are free for a later run)
// A draft run claims what it pays (Commission.payoutId / CommissionAdjustment.payoutId, while the
// commission stays approved), so nothing is ever in two payouts. Before a provider is called the payout gets
// an idempotency key (one per attempt) in its own committed transaction; a crash after that is reconciled by
// asking the provider with the key (reconcilePayouts), so a creator is never paid twice.

import type { Db } from "../db/client.ts";
import { claimForPayout, releasePayoutClaims } from "../ledger/index.ts";
import { isUniqueViolation, toSafeNumber } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import { currencyExponent } from "../shared/money.ts";
import { requireStore } from "../stores/store.ts";
import { getPayoutSettings, toCreatorPayoutAccount } from "./payout-settings.ts";
import {
  type Client,
  getPayout,
  getPayoutRun,
  type PayoutRunView,
  type PayoutView,
  requirePayoutRow,
  type Tx,
} from "./payout-views.ts";
import { planPayoutRun } from "./plan-payout-run.ts";
import type { PayoutMethod } from "./provider.ts";

export const TX_OPTIONS = { maxWait: 30_000, timeout: 60_000 } as const;

/**
 * The store's minimum payout applies to its own currency. A payout in another currency (orders can be in
 * several) needs the same number of major units, since Trailmark keeps no exchange rates.
 */
export function minimumPayoutFor(store: { currency: string; minimumPayout: number }, currency: string): number {
  if (currency === store.currency) return store.minimumPayout;
  const shift = currencyExponent(currency) - currencyExponent(store.currency);
  return shift >= 0 ? store.minimumPayout * 10 ** shift : Math.ceil(store.minimumPayout / 10 ** -shift);
}

export interface CreatePayoutRunOptions {
  now?: Date;
  trigger?: "manual" | "scheduled";
  /** Scheduled runs: one run per store and period; a second attempt returns the first run. */
  periodKey?: string | null;
  /** Approve at once (the CLI's --approve); the store's autoApprove setting does the same. */
  approve?: boolean;
}

/**
 * Plans a run from the store's approved commissions past their hold and its unsettled adjustments, and
 * stores it as a draft that claims everything it pays. A run with nothing to pay is stored completed, with
 * the balances it carried over. Approves it when asked to or when the store approves automatically.
 */
export async function createPayoutRun(
  db: Db,
  storeId: string,
  options: CreatePayoutRunOptions = {},
): Promise<PayoutRunView> {
  const now = options.now ?? new Date();
  const store = await requireStore(db, storeId);
  const settings = await getPayoutSettings(db, storeId);
  const plan = async (attempt: number): Promise<string> => {
    try {
      return await db.$transaction((tx) => planAndClaim(tx, store, settings.provider, options, now), TX_OPTIONS);
    } catch (error) {
      // A concurrent run claimed some of the same rows first: plan again from what is left.
      if (error instanceof AppError && error.code === "conflict" && attempt < 2) return plan(attempt + 1);
      throw error;
    }
  };
  let runId: string;
  try {
    runId = await plan(0);
  } catch (error) {
    const existing =
      options.periodKey && isUniqueViolation(error)
        ? await db.payoutRun.findFirst({ where: { storeId, periodKey: options.periodKey } })
        : null;
    // Another worker made this period's scheduled run.
    if (existing) return getPayoutRun(db, storeId, existing.id);
    throw error;
  }
  if (options.approve || settings.autoApprove) return approvePayoutRun(db, storeId, runId, { now });
  return getPayoutRun(db, storeId, runId);
}

/**
 * What a run made now would pay and carry over: the same reads and the same pure plan as createPayoutRun,
 * so a preview shows exactly what a run made right after it pays (unless an order changes in between).
 */
export async function loadPlan(
  db: Client,
  store: { id: string; currency: string; minimumPayout: number },
  defaultMethod: PayoutMethod,
  now: Date,
) {
  const storeId = store.id;
  const [commissions, adjustments, accounts] = await Promise.all([
    db.commission.findMany({
      where: { storeId, status: "approved", payoutId: null, holdUntil: { lte: now } },
      select: { id: true, creatorId: true, currency: true, amount: true, holdUntil: true },
    }),
    db.commissionAdjustment.findMany({
      where: { storeId, payoutId: null },
      select: { id: true, creatorId: true, currency: true, amount: true },
    }),
    db.creatorPayoutAccount.findMany({ where: { storeId } }),
  ]);
  const plan = planPayoutRun({
    commissions: commissions.map((c) => ({ ...c, amount: toSafeNumber(c.amount) })),
    adjustments: adjustments.map((a) => ({ ...a, amount: toSafeNumber(a.amount) })),
    minimumPayout: (currency) => minimumPayoutFor(store, currency),
    now,
  });
  const byCreator = new Map(accounts.map((a) => [a.creatorId, toCreatorPayoutAccount(a).method]));
  return { plan, methods: (creatorId: string): PayoutMethod => byCreator.get(creatorId) ?? defaultMethod };
}

async function planAndClaim(
  tx: Tx,
  store: { id: string; currency: string; minimumPayout: number },
  defaultMethod: PayoutMethod,
  options: CreatePayoutRunOptions,
  now: Date,
): Promise<string> {
  const storeId = store.id;
  const { plan, methods } = await loadPlan(tx, store, defaultMethod, now);
  const runId = newId("pr");
  const empty = plan.payouts.length === 0;
  await tx.payoutRun.create({
    data: {
      id: runId,
      storeId,
      status: empty ? "completed" : "draft",
      trigger: options.trigger ?? "manual",
      periodKey: options.periodKey ?? null,
      cutoff: now,
      carryOver: JSON.stringify(
        plan.carryOver.map(({ creatorId, currency, balance, reason }) => ({ creatorId, currency, balance, reason })),
      ),
      completedAt: empty ? now : null,
      createdAt: now,
    },
  });
  for (const planned of plan.payouts) {
    const payoutId = newId("po");
    await tx.payout.create({
      data: {
        id: payoutId,
        storeId,
        runId,
        creatorId: planned.creatorId,
        currency: planned.currency,
        amount: planned.amount,
        method: methods(planned.creatorId),
        status: "draft",
        createdAt: now,
      },
    });
    await claimForPayout(
      tx,
      storeId,
      payoutId,
      planned.commissions.map((c) => c.id),
      planned.adjustments.map((a) => a.id),
    );
    await tx.payoutItem.createMany({
      data: [
        ...planned.commissions.map((c) => ({
          id: newId("pi"),
          storeId,
          payoutId,
          kind: "commission",
          commissionId: c.id,
          amount: c.amount,
        })),
        ...planned.adjustments.map((a) => ({
          id: newId("pi"),
          storeId,
          payoutId,
          kind: "adjustment",
          adjustmentId: a.id,
          amount: a.amount,
        })),
      ],
    });
  }
  return runId;
}

/** The merchant's review is done: the draft run and its draft payouts become approved. */
export async function approvePayoutRun(
  db: Db,
  storeId: string,
  runId: string,
  options: { now?: Date } = {},
): Promise<PayoutRunView> {
  const now = options.now ?? new Date();
  await db.$transaction(async (tx) => {
    const run = await tx.payoutRun.findFirst({ where: { id: runId, storeId } });
    if (!run) throw new AppError("not_found", `payout run ${runId} not found`);
    if (run.status === "approved" || run.status === "completed") return;
    if (run.status !== "draft") throw new AppError("conflict", `payout run ${runId} is ${run.status}`);
    await tx.payoutRun.updateMany({
      where: { id: runId, status: "draft" },
      data: { status: "approved", approvedAt: now },
    });
    await tx.payout.updateMany({
      where: { storeId, runId, status: "draft" },
      data: { status: "approved", approvedAt: now },
    });
  }, TX_OPTIONS);
  return getPayoutRun(db, storeId, runId);
}

/** Cancels every payout of the run that has not started (draft, approved or failed) and the run itself. */
export async function cancelPayoutRun(
  db: Db,
  storeId: string,
  runId: string,
  options: { now?: Date } = {},
): Promise<PayoutRunView> {
  const now = options.now ?? new Date();
  const run = await getPayoutRun(db, storeId, runId);
  if (run.payouts.some((p) => p.status === "paid" || (p.status === "processing" && p.method !== "manual"))) {
    throw new AppError("conflict", `payout run ${runId} has payouts already sent; cancel its other payouts one by one`);
  }
  await db.$transaction(async (tx) => {
    for (const p of run.payouts) if (p.status !== "cancelled") await cancelPayoutTx(tx, storeId, p.id, now);
    await tx.payoutRun.updateMany({
      where: { id: runId, storeId, status: { in: ["draft", "approved"] } },
      data: { status: "cancelled", cancelledAt: now },
    });
  }, TX_OPTIONS);
  return getPayoutRun(db, storeId, runId);
}

/**
 * Cancels a payout that has not been sent (draft, approved; for manual payouts also processing, which only
 * means handed to the merchant) or that failed: its commissions are free for a later run (still approved)
 * and its adjustments unsettled again.
 */
export async function cancelPayout(
  db: Db,
  storeId: string,
  payoutId: string,
  options: { now?: Date } = {},
): Promise<PayoutView> {
  const now = options.now ?? new Date();
  await db.$transaction(async (tx) => {
    await cancelPayoutTx(tx, storeId, payoutId, now);
    const row = await requirePayoutRow(tx, storeId, payoutId);
    await refreshRunStatus(tx, storeId, row.runId, now);
  }, TX_OPTIONS);
  return getPayout(db, storeId, payoutId);
}

async function cancelPayoutTx(tx: Tx, storeId: string, payoutId: string, now: Date): Promise<void> {
  const row = await requirePayoutRow(tx, storeId, payoutId);
  if (row.status === "cancelled") return;
  const cancellable =
    row.method === "manual" ? ["draft", "approved", "failed", "processing"] : ["draft", "approved", "failed"];
  const done = await tx.payout.updateMany({
    where: { id: payoutId, storeId, status: { in: cancellable } },
    data: { status: "cancelled", cancelledAt: now },
  });
  if (done.count !== 1) throw new AppError("conflict", `payout ${payoutId} is ${row.status} and cannot be cancelled`);
  await releasePayoutClaims(tx, storeId, payoutId);
}

/** A run is completed once every payout is paid or cancelled, and cancelled when all were cancelled. */
export async function refreshRunStatus(tx: Client, storeId: string, runId: string, now: Date): Promise<void> {
  const open = await tx.payout.count({ where: { storeId, runId, status: { notIn: ["paid", "cancelled"] } } });
  if (open > 0) return;
  const paid = await tx.payout.count({ where: { storeId, runId, status: "paid" } });
  await tx.payoutRun.updateMany({
    where: { id: runId, storeId, status: { in: paid > 0 ? ["approved"] : ["draft", "approved"] } },
    data: paid > 0 ? { status: "completed", completedAt: now } : { status: "cancelled", cancelledAt: now },
  });
}
