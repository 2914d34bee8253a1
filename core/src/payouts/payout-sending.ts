// Sending approved payouts: before a provider is called the payout gets an idempotency key (one per
// attempt) in its own committed transaction; a crash after that is reconciled by asking the provider with
// the key (reconcilePayouts), so a creator is never paid twice. A paid payout settles its commissions
// through the ledger.

import { markConversionsChanged } from "../conversions/stale-days.ts";
import type { Db } from "../db/client.ts";
import { inChunks } from "../db/sql.ts";
import { releaseCommissionClaim, releasePayoutClaims, settlePaidCommissions } from "../ledger/index.ts";
import { toSafeNumber } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";
import { refreshRunStatus, TX_OPTIONS } from "./payout-runs.ts";
import { toCreatorPayoutAccount } from "./payout-settings.ts";
import {
  type Client,
  getPayout,
  getPayoutRun,
  type PayoutRow,
  type PayoutRunView,
  type PayoutStatus,
  type PayoutView,
  requirePayoutRow,
  type Tx,
  toPayoutView,
} from "./payout-views.ts";
import {
  type PayoutInstruction,
  type PayoutMethod,
  PayoutProviderError,
  type PayoutProviders,
  type ProviderResult,
} from "./provider.ts";

/** Where a test can stop the worker, as if the process died there. */
export type PayoutCrashPoint = "key_stored" | "provider_called" | "db_updated";

export interface PayoutDeps {
  providers: PayoutProviders;
  now?: () => Date;
  /** Called at each crash point; a test throws from it to simulate a crash. */
  crashPoint?: (point: PayoutCrashPoint, payoutId: string) => void;
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
      await releasePayoutClaims(tx, storeId, payoutId);
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
      if (c?.payoutId === row.id) await releaseCommissionClaim(tx, c.id);
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
  const conversionIds = await settlePaidCommissions(tx, row.storeId, row.id, paidFor, now);
  await markConversionsChanged(tx, db, row.storeId, conversionIds);
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
