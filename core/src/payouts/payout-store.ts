// Payout runs and payouts in storage. States:
//   run:    draft -> approved -> completed (every payout paid or cancelled) | cancelled
//   payout: draft -> approved -> processing -> paid | failed;  failed -> (retry) approved -> processing …;
//           draft | approved | failed -> cancelled (its commissions and adjustments are free for a later run)
// A draft run claims what it pays (Commission.payoutId / CommissionAdjustment.payoutId, while the
// commission stays approved), so nothing is ever in two payouts. Before a provider is called the payout gets
// an idempotency key (one per attempt) in its own committed transaction; a crash after that is reconciled by
// asking the provider with the key (reconcilePayouts), so a creator is never paid twice.

import { inChunks } from "../admin/sql.ts";
import { budgetHeld, type CommissionStatus, ledgerEntriesForChange, ledgerTransfers } from "../commissions/index.ts";
import { campaignCurrencies } from "../conversions/conversion-store.ts";
import { markConversionsChanged } from "../conversions/stale-days.ts";
import type { Db } from "../db/client.ts";
import { Prisma } from "../db/generated/sqlite/index.js";
import { isUniqueViolation, parseJson, toSafeNumber } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import { currencyExponent, formatMinorUnits } from "../shared/money.ts";
import { requireStore } from "../stores/store.ts";
import { payoutsToCsv } from "./manual-provider.ts";
import { getPayoutSettings, toCreatorPayoutAccount } from "./payout-settings.ts";
import { type CarryOver, planPayoutRun } from "./plan-payout-run.ts";
import {
  type PayoutInstruction,
  type PayoutMethod,
  PayoutMethodSchema,
  PayoutProviderError,
  type PayoutProviders,
  type ProviderResult,
} from "./provider.ts";
import { periodKey as schedulePeriodKey, storesDueForPayoutRun } from "./schedule.ts";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
type Client = Db | Tx;
type PayoutRow = NonNullable<Awaited<ReturnType<Db["payout"]["findUnique"]>>>;
type RunRow = NonNullable<Awaited<ReturnType<Db["payoutRun"]["findUnique"]>>>;

const TX_OPTIONS = { maxWait: 30_000, timeout: 60_000 } as const;

export const PAYOUT_STATUSES = ["draft", "approved", "processing", "paid", "failed", "cancelled"] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];
export type PayoutRunStatus = "draft" | "approved" | "completed" | "cancelled";

/** Where a test can stop the worker, as if the process died there. */
export type PayoutCrashPoint = "key_stored" | "provider_called" | "db_updated";

export interface PayoutDeps {
  providers: PayoutProviders;
  now?: () => Date;
  /** Called at each crash point; a test throws from it to simulate a crash. */
  crashPoint?: (point: PayoutCrashPoint, payoutId: string) => void;
}

export interface PayoutView {
  id: string;
  storeId: string;
  runId: string;
  creatorId: string;
  amount: number;
  currency: string;
  method: PayoutMethod;
  status: PayoutStatus;
  attempt: number;
  idempotencyKey: string | null;
  providerReference: string | null;
  failureReason: string | null;
  lastError: string | null;
  createdAt: Date;
  approvedAt: Date | null;
  paidAt: Date | null;
  failedAt: Date | null;
  cancelledAt: Date | null;
}

export interface PayoutRunView {
  id: string;
  storeId: string;
  status: PayoutRunStatus;
  trigger: "manual" | "scheduled";
  periodKey: string | null;
  cutoff: Date;
  createdAt: Date;
  approvedAt: Date | null;
  completedAt: Date | null;
  cancelledAt: Date | null;
  carryOver: Omit<CarryOver, "commissionIds" | "adjustmentIds">[];
  payouts: PayoutView[];
  /** Per currency, payouts not cancelled: never summed across currencies. */
  totals: { currency: string; amount: number; count: number }[];
}

export function toPayoutView(row: PayoutRow): PayoutView {
  return {
    id: row.id,
    storeId: row.storeId,
    runId: row.runId,
    creatorId: row.creatorId,
    amount: toSafeNumber(row.amount),
    currency: row.currency,
    method: PayoutMethodSchema.catch("manual").parse(row.method),
    status: row.status as PayoutStatus,
    attempt: row.attempt,
    idempotencyKey: row.idempotencyKey,
    providerReference: row.providerReference,
    failureReason: row.failureReason,
    lastError: row.lastError,
    createdAt: row.createdAt,
    approvedAt: row.approvedAt,
    paidAt: row.paidAt,
    failedAt: row.failedAt,
    cancelledAt: row.cancelledAt,
  };
}

function toRunView(row: RunRow, payouts: PayoutRow[]): PayoutRunView {
  const views = payouts.map(toPayoutView);
  const totals = new Map<string, { currency: string; amount: number; count: number }>();
  for (const p of views) {
    if (p.status === "cancelled") continue;
    const t = totals.get(p.currency) ?? { currency: p.currency, amount: 0, count: 0 };
    t.amount += p.amount;
    t.count++;
    totals.set(p.currency, t);
  }
  return {
    id: row.id,
    storeId: row.storeId,
    status: row.status as PayoutRunStatus,
    trigger: row.trigger as PayoutRunView["trigger"],
    periodKey: row.periodKey,
    cutoff: row.cutoff,
    createdAt: row.createdAt,
    approvedAt: row.approvedAt,
    completedAt: row.completedAt,
    cancelledAt: row.cancelledAt,
    carryOver: parseJson(row.carryOver, []),
    payouts: views,
    totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
  };
}

export async function getPayoutRun(db: Client, storeId: string, runId: string): Promise<PayoutRunView> {
  const run = await db.payoutRun.findFirst({ where: { id: runId, storeId } });
  if (!run) throw new AppError("not_found", `payout run ${runId} not found`);
  const payouts = await db.payout.findMany({
    where: { storeId, runId },
    orderBy: [{ creatorId: "asc" }, { id: "asc" }],
  });
  return toRunView(run, payouts);
}

export async function listPayoutRuns(db: Db, storeId: string, options: { limit?: number } = {}) {
  const runs = await db.payoutRun.findMany({
    where: { storeId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit ?? 50,
  });
  const payouts = runs.length
    ? await db.payout.findMany({
        where: { storeId, runId: { in: runs.map((r) => r.id) } },
        orderBy: [{ creatorId: "asc" }, { id: "asc" }],
      })
    : [];
  return runs.map((r) =>
    toRunView(
      r,
      payouts.filter((p) => p.runId === r.id),
    ),
  );
}

export async function listPayouts(
  db: Db,
  storeId: string,
  filter: { creatorId?: string; status?: PayoutStatus } = {},
): Promise<PayoutView[]> {
  const rows = await db.payout.findMany({
    where: {
      storeId,
      ...(filter.creatorId ? { creatorId: filter.creatorId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  });
  return rows.map(toPayoutView);
}

export async function getPayout(db: Client, storeId: string, payoutId: string): Promise<PayoutView> {
  return toPayoutView(await requirePayoutRow(db, storeId, payoutId));
}

/** The commissions and adjustments a payout is made of. */
export async function payoutItems(db: Client, storeId: string, payoutId: string) {
  const rows = await db.payoutItem.findMany({ where: { storeId, payoutId }, orderBy: { id: "asc" } });
  return rows.map((r) => ({
    kind: r.kind as "commission" | "adjustment",
    commissionId: r.commissionId,
    adjustmentId: r.adjustmentId,
    amount: toSafeNumber(r.amount),
  }));
}

async function requirePayoutRow(db: Client, storeId: string, payoutId: string): Promise<PayoutRow> {
  const row = await db.payout.findFirst({ where: { id: payoutId, storeId } });
  if (!row) throw new AppError("not_found", `payout ${payoutId} not found`);
  return row;
}

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
    const commissionIds = planned.commissions.map((c) => c.id);
    const adjustmentIds = planned.adjustments.map((a) => a.id);
    // Claimed in slices (a creator can have thousands of commissions in one payout), all in this transaction.
    const claimedCommissions = await inChunks(commissionIds, async (ids) => [
      (
        await tx.commission.updateMany({
          where: { storeId, id: { in: ids }, status: "approved", payoutId: null },
          data: { payoutId },
        })
      ).count,
    ]);
    if (sumOf(claimedCommissions) !== commissionIds.length)
      throw new AppError("conflict", "commissions were claimed by another run");
    const claimedAdjustments = await inChunks(adjustmentIds, async (ids) => [
      (
        await tx.commissionAdjustment.updateMany({
          where: { storeId, id: { in: ids }, payoutId: null },
          data: { payoutId },
        })
      ).count,
    ]);
    if (sumOf(claimedAdjustments) !== adjustmentIds.length)
      throw new AppError("conflict", "adjustments were claimed by another run");
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
  await releaseClaims(tx, storeId, payoutId);
}

async function releaseClaims(tx: Tx, storeId: string, payoutId: string): Promise<void> {
  await tx.commission.updateMany({ where: { storeId, payoutId, status: { not: "paid" } }, data: { payoutId: null } });
  await tx.commissionAdjustment.updateMany({ where: { storeId, payoutId }, data: { payoutId: null } });
}

/** A run is completed once every payout is paid or cancelled, and cancelled when all were cancelled. */
async function refreshRunStatus(tx: Client, storeId: string, runId: string, now: Date): Promise<void> {
  const open = await tx.payout.count({ where: { storeId, runId, status: { notIn: ["paid", "cancelled"] } } });
  if (open > 0) return;
  const paid = await tx.payout.count({ where: { storeId, runId, status: "paid" } });
  await tx.payoutRun.updateMany({
    where: { id: runId, storeId, status: { in: paid > 0 ? ["approved"] : ["draft", "approved"] } },
    data: paid > 0 ? { status: "completed", completedAt: now } : { status: "cancelled", cancelledAt: now },
  });
}

/**
 * Sends every approved payout of an approved run, one after the other, and resumes those a crashed worker
 * left processing (by asking the provider first). Provider outages leave payouts processing for
 * reconcilePayouts; a payout the provider refuses is failed with its reason and can be retried.
 */
export async function executePayoutRun(
  db: Db,
  storeId: string,
  runId: string,
  deps: PayoutDeps,
): Promise<PayoutRunView> {
  const run = await db.payoutRun.findFirst({ where: { id: runId, storeId } });
  if (!run) throw new AppError("not_found", `payout run ${runId} not found`);
  if (run.status === "draft") throw new AppError("conflict", `payout run ${runId} is not approved yet`);
  if (run.status === "cancelled") throw new AppError("conflict", `payout run ${runId} is cancelled`);
  const payouts = await db.payout.findMany({
    where: { storeId, runId, status: { in: ["approved", "processing"] } },
    orderBy: { id: "asc" },
  });
  for (const p of payouts) {
    try {
      if (p.status === "processing") await reconcilePayout(db, p, deps);
      else await executePayout(db, storeId, p.id, deps);
    } catch (error) {
      // Another worker started or cancelled this payout meanwhile: it is theirs.
      if (!(error instanceof AppError && error.code === "conflict")) throw error;
    }
  }
  const now = deps.now?.() ?? new Date();
  await refreshRunStatus(db, storeId, runId, now);
  return getPayoutRun(db, storeId, runId);
}

/**
 * approved -> processing -> paid | failed (or stays processing when the provider's answer is unknown or
 * not final). The idempotency key for this attempt is committed with the processing state before the
 * provider is called.
 */
export async function executePayout(db: Db, storeId: string, payoutId: string, deps: PayoutDeps): Promise<PayoutView> {
  const existing = await requirePayoutRow(db, storeId, payoutId);
  if (existing.status === "processing") return reconcilePayout(db, existing, deps);
  if (existing.status !== "approved") throw new AppError("conflict", `payout ${payoutId} is ${existing.status}`);
  providerFor(deps, existing);
  const now = deps.now?.() ?? new Date();
  const started = await db.$transaction(async (tx) => {
    const row = await requirePayoutRow(tx, storeId, payoutId);
    if (row.status !== "approved") throw new AppError("conflict", `payout ${payoutId} is ${row.status}`);
    const amount = await refreshItems(tx, row, now);
    if (amount <= 0) {
      // Everything it was to pay was refunded or reversed since the run was planned.
      await tx.payout.updateMany({
        where: { id: payoutId, status: "approved" },
        data: { status: "cancelled", cancelledAt: now, amount: 0 },
      });
      await releaseClaims(tx, storeId, payoutId);
      await refreshRunStatus(tx, storeId, row.runId, now);
      return null;
    }
    const attempt = row.attempt + 1;
    const key = `tm_${payoutId}_${attempt}`;
    const moved = await tx.payout.updateMany({
      where: { id: payoutId, status: "approved", attempt: row.attempt },
      data: {
        status: "processing",
        attempt,
        idempotencyKey: key,
        amount,
        processingAt: now,
        providerReference: null,
        failureReason: null,
        lastError: null,
        errorCount: 0,
      },
    });
    if (moved.count !== 1) throw new AppError("conflict", `payout ${payoutId} was started by another worker`);
    return requirePayoutRow(tx, storeId, payoutId);
  }, TX_OPTIONS);
  if (!started) return getPayout(db, storeId, payoutId);
  deps.crashPoint?.("key_stored", payoutId);
  return sendAndRecord(db, started, deps, { lookupFirst: false });
}

/**
 * A failed payout is tried again: under a new idempotency key when the provider confirmed that the failed
 * attempt moved no money; otherwise (a failure recorded without the provider's word for the key) under the
 * same key, so that a first request the provider still holds or has since completed is found, not doubled.
 */
export async function retryPayout(db: Db, storeId: string, payoutId: string, deps: PayoutDeps): Promise<PayoutView> {
  const row = await requirePayoutRow(db, storeId, payoutId);
  if (row.status !== "failed") throw new AppError("conflict", `payout ${payoutId} is ${row.status}, not failed`);
  providerFor(deps, row);
  const now = deps.now?.() ?? new Date();
  if (!row.failureConfirmed && row.idempotencyKey) {
    const resumed = await db.payout.updateMany({
      where: { id: payoutId, storeId, status: "failed", idempotencyKey: row.idempotencyKey },
      data: { status: "processing", failureReason: null, failedAt: null, lastError: null, errorCount: 0 },
    });
    if (resumed.count !== 1) throw new AppError("conflict", `payout ${payoutId} changed meanwhile`);
    return reconcilePayout(db, await requirePayoutRow(db, storeId, payoutId), deps);
  }
  const moved = await db.payout.updateMany({
    where: { id: payoutId, storeId, status: "failed" },
    data: { status: "approved", approvedAt: now },
  });
  if (moved.count !== 1) throw new AppError("conflict", `payout ${payoutId} changed meanwhile`);
  return executePayout(db, storeId, payoutId, deps);
}

/** A manual payout the merchant has paid outside Trailmark (after the CSV export). */
export async function markPayoutPaid(
  db: Db,
  storeId: string,
  payoutId: string,
  options: { reference?: string | null; now?: Date } = {},
): Promise<PayoutView> {
  const now = options.now ?? new Date();
  const row = await requirePayoutRow(db, storeId, payoutId);
  if (row.method !== "manual") {
    throw new AppError(
      "conflict",
      `payout ${payoutId} is paid through ${row.method}; its provider reports when it is paid`,
    );
  }
  if (row.status === "paid") return toPayoutView(row);
  if (row.status !== "approved" && row.status !== "processing") {
    throw new AppError("conflict", `payout ${payoutId} is ${row.status}`);
  }
  await db.$transaction(async (tx) => {
    if (row.status === "approved") {
      const amount = await refreshItems(tx, row, now);
      if (amount <= 0) throw new AppError("conflict", `payout ${payoutId} has nothing left to pay`);
      await tx.payout.updateMany({ where: { id: payoutId, status: "approved" }, data: { amount } });
    }
    const settled = await settlePaid(tx, db, row, {
      reference: options.reference ?? "manual",
      now,
      from: ["approved", "processing"],
    });
    if (!settled) throw new AppError("conflict", `payout ${payoutId} changed meanwhile`);
  }, TX_OPTIONS);
  return getPayout(db, storeId, payoutId);
}

export interface ReconcileSummary {
  checked: number;
  paid: number;
  failed: number;
  processing: number;
  /** Payouts whose method has no provider configured here. */
  skipped: number;
}

/**
 * For restarts and a periodic sweep: every payout left processing is looked up at its provider with its
 * idempotency key. Paid or failed there is recorded here; not found means it was never sent, so it is sent
 * now with the same key; still in flight stays processing.
 */
export async function reconcilePayouts(
  db: Db,
  deps: PayoutDeps,
  options: { storeId?: string } = {},
): Promise<ReconcileSummary> {
  const rows = await db.payout.findMany({
    where: { status: "processing", ...(options.storeId ? { storeId: options.storeId } : {}) },
    orderBy: [{ processingAt: "asc" }, { id: "asc" }],
    take: 500,
  });
  const summary: ReconcileSummary = { checked: 0, paid: 0, failed: 0, processing: 0, skipped: 0 };
  for (const row of rows) {
    if (!deps.providers[row.method as PayoutMethod]) {
      summary.skipped++;
      continue;
    }
    summary.checked++;
    const view = await reconcilePayout(db, row, deps);
    if (view.status === "paid") summary.paid++;
    else if (view.status === "failed") summary.failed++;
    else summary.processing++;
  }
  return summary;
}

async function reconcilePayout(db: Db, row: PayoutRow, deps: PayoutDeps): Promise<PayoutView> {
  providerFor(deps, row);
  return sendAndRecord(db, row, deps, { lookupFirst: true });
}

function providerFor(deps: PayoutDeps, row: { id: string; method: string }) {
  const provider = deps.providers[row.method as PayoutMethod];
  if (!provider) throw new AppError("invalid", `no ${row.method} payout provider is configured (payout ${row.id})`);
  return provider;
}

async function sendAndRecord(
  db: Db,
  row: PayoutRow,
  deps: PayoutDeps,
  options: { lookupFirst: boolean },
): Promise<PayoutView> {
  const key = row.idempotencyKey;
  if (row.status !== "processing" || !key) throw new Error(`payout ${row.id} is not processing`);
  const provider = providerFor(deps, row);
  const instruction = await instructionFor(db, row);
  let result: ProviderResult | null;
  try {
    result = options.lookupFirst ? await provider.lookup(key, instruction) : null;
    // No record of the key is not proof that nothing is coming (Stripe may still hold the first request):
    // send again under the same key, which the provider answers with the first attempt's outcome. Only the
    // provider's own answer for this key fails a payout; errors alone never do.
    if (result === null) result = await provider.send(instruction, key);
  } catch (error) {
    if (!(error instanceof PayoutProviderError)) throw error;
    // Unknown outcome: keep the key, stay processing, reconcile later.
    await db.payout.updateMany({
      where: { id: row.id, status: "processing", idempotencyKey: key },
      data: { lastError: error.message.slice(0, 1000), errorCount: { increment: 1 } },
    });
    return getPayout(db, row.storeId, row.id);
  }
  deps.crashPoint?.("provider_called", row.id);
  const now = deps.now?.() ?? new Date();
  await recordResult(db, row, key, result, now);
  deps.crashPoint?.("db_updated", row.id);
  return getPayout(db, row.storeId, row.id);
}

async function recordResult(db: Db, row: PayoutRow, key: string, result: ProviderResult, now: Date): Promise<void> {
  const where = { id: row.id, storeId: row.storeId, status: "processing", idempotencyKey: key };
  if (result.status === "processing") {
    await db.payout.updateMany({
      where,
      data: { providerReference: result.reference ?? row.providerReference, lastError: null },
    });
    return;
  }
  if (result.status === "failed") {
    await db.payout.updateMany({
      where,
      data: {
        status: "failed",
        failureConfirmed: true,
        failedAt: now,
        failureReason: (result.reason ?? "refused by the provider").slice(0, 1000),
        providerReference: result.reference ?? row.providerReference,
      },
    });
    return;
  }
  await db.$transaction(
    (tx) =>
      settlePaid(tx, db, { ...row, idempotencyKey: key }, { reference: result.reference, now, from: ["processing"] }),
    TX_OPTIONS,
  );
}

/**
 * Re-reads what an approved payout claims just before it is sent: commissions no longer approved (refunded
 * to nothing, reversed, back to pending, re-attributed) leave it and become free; amounts follow partial
 * refunds. Returns the new total.
 */
async function refreshItems(tx: Tx, row: PayoutRow, now: Date): Promise<number> {
  const items = await tx.payoutItem.findMany({ where: { storeId: row.storeId, payoutId: row.id } });
  const commissionIds = items.flatMap((i) => (i.commissionId ? [i.commissionId] : []));
  await lockConversionsOf(tx, row.storeId, commissionIds, now);
  const commissions = new Map(
    (
      await inChunks(commissionIds, (ids) =>
        tx.commission.findMany({ where: { storeId: row.storeId, id: { in: ids } } }),
      )
    ).map((c) => [c.id, c]),
  );
  let total = 0;
  for (const item of items) {
    if (item.kind !== "commission" || !item.commissionId) {
      total += toSafeNumber(item.amount);
      continue;
    }
    const c = commissions.get(item.commissionId);
    const amount = c ? toSafeNumber(c.amount) : 0;
    const stillDue = c !== undefined && c.status === "approved" && c.payoutId === row.id && amount > 0;
    if (!stillDue) {
      await tx.payoutItem.delete({ where: { id: item.id } });
      if (c?.payoutId === row.id) await tx.commission.update({ where: { id: c.id }, data: { payoutId: null } });
      continue;
    }
    if (amount !== toSafeNumber(item.amount)) await tx.payoutItem.update({ where: { id: item.id }, data: { amount } });
    total += amount;
  }
  return total;
}

/**
 * Order reconciliation (conversion-store.ts) takes its turn on an order by touching the conversion rows
 * first; doing the same here means a refund arriving while a payout is settled waits, then sees the
 * commission paid (and records a clawback) instead of overwriting it with a stale state.
 */
async function lockConversionsOf(tx: Tx, storeId: string, commissionIds: string[], now: Date): Promise<void> {
  if (commissionIds.length === 0) return;
  const rows = await inChunks(commissionIds, (ids) =>
    tx.commission.findMany({ where: { storeId, id: { in: ids } }, select: { conversionId: true } }),
  );
  await inChunks([...new Set(rows.map((r) => r.conversionId))], async (ids) => [
    await tx.conversion.updateMany({ where: { storeId, id: { in: ids } }, data: { updatedAt: now } }),
  ]);
}

/**
 * processing (or, for manual payouts, approved) -> paid: each commission becomes paid with what this payout
 * paid for it; a commission that changed while the payout was in flight gets the difference as an
 * adjustment for the next payout, exactly as a refund after payment would. The claimed adjustments are
 * settled by this payout. Returns false when another worker settled it first.
 */
async function settlePaid(
  tx: Tx,
  db: Db,
  row: PayoutRow,
  options: { reference: string | null; now: Date; from: PayoutStatus[] },
): Promise<boolean> {
  const { now } = options;
  const moved = await tx.payout.updateMany({
    where: {
      id: row.id,
      storeId: row.storeId,
      status: { in: options.from },
      ...(options.from.includes("approved") ? {} : { idempotencyKey: row.idempotencyKey }),
    },
    data: {
      status: "paid",
      paidAt: now,
      providerReference: options.reference ?? row.providerReference,
      failureReason: null,
      lastError: null,
    },
  });
  if (moved.count !== 1) return false;
  const items = await tx.payoutItem.findMany({ where: { storeId: row.storeId, payoutId: row.id, kind: "commission" } });
  const paidFor = new Map(
    items.flatMap((i) => (i.commissionId ? [[i.commissionId, toSafeNumber(i.amount)] as const] : [])),
  );
  await lockConversionsOf(tx, row.storeId, [...paidFor.keys()], now);
  const commissions = await inChunks([...paidFor.keys()], (ids) =>
    tx.commission.findMany({ where: { storeId: row.storeId, id: { in: ids } } }),
  );
  const sums = await inChunks(
    commissions.map((c) => c.id),
    (ids) =>
      tx.commissionAdjustment.groupBy({
        by: ["commissionId"],
        where: { storeId: row.storeId, commissionId: { in: ids } },
        _sum: { amount: true },
      }),
  );
  const adjusted = new Map(sums.map((s) => [s.commissionId, toSafeNumber(s._sum.amount ?? 0n)]));
  const campaignCurrency = await campaignCurrencies(
    tx,
    row.storeId,
    commissions.map((c) => c.campaignId),
  );
  // Decided per commission in memory, written set-based: a payout of 5,000 commissions is a few statements
  // (in slices), not 5,000 round trips, all in the caller's transaction.
  const budgetEntries: { campaignId: string; commissionId: string; kind: string; amount: number }[] = [];
  const budgetDelta = new Map<string, number>();
  const reservedDelta = new Map<number, string[]>();
  const adjustments: { commissionId: string; creatorId: string; amount: number; currency: string }[] = [];
  for (const c of commissions) {
    const paidAmount = paidFor.get(c.id)!;
    const before = { status: c.status as CommissionStatus, amount: toSafeNumber(c.amount) };
    // A commission that is worth nothing now (reversed while in flight) is still paid: its amount is 0 and
    // the clawback below recovers what was sent.
    const after = { status: "paid" as const, amount: before.amount };
    // Budget is kept in the campaign's currency: a commission in another currency never moves it.
    const inBudget = c.currency === campaignCurrency.get(c.campaignId);
    const entries = inBudget ? [...ledgerEntriesForChange(before, after), ...ledgerTransfers(before, after)] : [];
    let reserved = 0;
    for (const e of entries) {
      if (e.kind !== "approve" && e.kind !== "pay") {
        const delta = e.kind === "adjust" ? e.amount : -e.amount;
        reserved += delta;
        budgetDelta.set(c.campaignId, (budgetDelta.get(c.campaignId) ?? 0) + delta);
      }
      budgetEntries.push({ campaignId: c.campaignId, commissionId: c.id, kind: e.kind, amount: e.amount });
    }
    if (reserved !== 0) {
      const group = reservedDelta.get(reserved) ?? [];
      group.push(c.id);
      reservedDelta.set(reserved, group);
    }
    const owed = budgetHeld(after) - (paidAmount + (adjusted.get(c.id) ?? 0));
    if (owed !== 0)
      adjustments.push({ commissionId: c.id, creatorId: c.creatorId, amount: owed, currency: c.currency });
  }
  for (const [campaignId, delta] of budgetDelta) {
    if (delta !== 0)
      await tx.campaign.update({ where: { id: campaignId }, data: { budgetUsed: { increment: delta } } });
  }
  await inChunks(budgetEntries, async (chunk) => [
    await tx.budgetEntry.createMany({
      data: chunk.map((e) => ({ id: newId("bl"), storeId: row.storeId, ...e })),
    }),
  ]);
  await inChunks(adjustments, async (chunk) => [
    await tx.commissionAdjustment.createMany({
      data: chunk.map((a) => ({
        id: newId("adj"),
        storeId: row.storeId,
        ...a,
        reason:
          a.amount < 0
            ? "commission reduced while its payout was processing"
            : "commission grew while its payout was processing",
        createdAt: now,
      })),
    }),
  ]);
  for (const [delta, ids] of reservedDelta) {
    await inChunks(ids, async (chunk) => [
      await tx.commission.updateMany({
        where: { storeId: row.storeId, id: { in: chunk } },
        data: { reserved: { increment: delta } },
      }),
    ]);
  }
  const ids = commissions.map((c) => c.id);
  await inChunks(ids, async (chunk) => [
    await tx.commission.updateMany({
      where: { storeId: row.storeId, id: { in: chunk } },
      data: { status: "paid", paidAt: now, payoutId: row.id },
    }),
  ]);
  // What this payout paid for each commission is its item's amount, copied in one statement.
  await tx.$executeRaw(Prisma.sql`
    UPDATE "Commission" SET "paidAmount" = (
      SELECT pi."amount" FROM "PayoutItem" pi
      WHERE pi."storeId" = "Commission"."storeId" AND pi."payoutId" = ${row.id}
        AND pi."kind" = 'commission' AND pi."commissionId" = "Commission"."id"
    )
    WHERE "storeId" = ${row.storeId} AND "payoutId" = ${row.id} AND "status" = 'paid'
      AND "id" IN (SELECT "commissionId" FROM "PayoutItem" WHERE "storeId" = ${row.storeId} AND "payoutId" = ${row.id} AND "kind" = 'commission')`);
  await markConversionsChanged(
    tx,
    db,
    row.storeId,
    commissions.map((c) => c.conversionId),
  );
  await refreshRunStatus(tx, row.storeId, row.runId, now);
  return true;
}

async function instructionFor(db: Client, row: PayoutRow): Promise<PayoutInstruction> {
  const [account, store] = await Promise.all([
    db.creatorPayoutAccount.findUnique({
      where: { storeId_creatorId: { storeId: row.storeId, creatorId: row.creatorId } },
    }),
    db.store.findUnique({ where: { id: row.storeId }, select: { name: true } }),
  ]);
  const a = account ? toCreatorPayoutAccount(account) : null;
  return {
    payoutId: row.id,
    storeId: row.storeId,
    creatorId: row.creatorId,
    amount: toSafeNumber(row.amount),
    currency: row.currency,
    method: row.method as PayoutMethod,
    destination: {
      stripeAccountId: a?.stripeAccountId ?? null,
      paypalEmail: a?.paypalEmail ?? null,
      details: a?.details ?? {},
    },
    reference: row.providerReference,
    description: `${store?.name ?? "Trailmark"} commissions, payout ${row.id}`,
  };
}

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

/** Scheduled stores whose run for the current period has not been made yet. */
export async function storesDueForPayout(db: Db, now: Date) {
  const settings = await db.storePayoutSettings.findMany({ where: { schedule: { not: "manual" } } });
  if (settings.length === 0) return [];
  const storeIds = settings.map((s) => s.storeId);
  const [stores, last] = await Promise.all([
    inChunks(storeIds, (ids) =>
      db.store.findMany({ where: { id: { in: ids }, status: "active" }, select: { id: true } }),
    ),
    // The latest run per store (an aggregate _max over DateTime is not read back reliably on SQLite).
    inChunks(storeIds, (ids) =>
      db.payoutRun.findMany({
        where: { storeId: { in: ids } },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        distinct: ["storeId"],
        select: { storeId: true, createdAt: true },
      }),
    ),
  ]);
  const active = new Set(stores.map((s) => s.id));
  const lastRun = new Map(last.map((l) => [l.storeId, l.createdAt]));
  const schedules = settings
    .filter((s) => active.has(s.storeId))
    .map((s) => ({
      storeId: s.storeId,
      schedule: s.schedule as "weekly" | "twice_monthly" | "monthly",
      day: s.payoutDay,
      autoApprove: s.autoApprove,
      lastRunAt: lastRun.get(s.storeId) ?? null,
    }));
  return storesDueForPayoutRun(schedules, now);
}

/**
 * The scheduler's tick: a run for every store that is due (one per period, however many workers tick),
 * sent at once when the store approves automatically.
 */
export async function runScheduledPayouts(db: Db, deps: PayoutDeps): Promise<PayoutRunView[]> {
  const now = deps.now?.() ?? new Date();
  const runs: PayoutRunView[] = [];
  for (const due of await storesDueForPayout(db, now)) {
    let run = await createPayoutRun(db, due.storeId, {
      now,
      trigger: "scheduled",
      periodKey: schedulePeriodKey(due.schedule, now, due.day),
    });
    if (run.status === "approved") run = await executePayoutRun(db, due.storeId, run.id, deps);
    runs.push(run);
  }
  return runs;
}

/** "12.50 USD" */
export function formatMoney(amount: number, currency: string): string {
  return `${formatMinorUnits(amount, currency)} ${currency}`;
}

function sumOf(counts: readonly number[]): number {
  return counts.reduce((n, c) => n + c, 0);
}
