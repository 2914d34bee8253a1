// What the admin's Payouts page reads: each creator's balances per currency, the preview of the next run
// (the very plan createPayoutRun would store), and the history of runs with the commissions each payout
// settled. Amounts are integer minor units beside their currency; totals are per currency, never summed
// across currencies.

import { type Db, sql } from "../db/client.ts";
import { andIf, inChunks, type Sql } from "../db/sql.ts";
import { toSafeNumber } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";
import { requireStore } from "../stores/store.ts";
import { createPayoutRun, loadPlan, minimumPayoutFor } from "./payout-runs.ts";
import { executePayoutRun, type PayoutDeps } from "./payout-sending.ts";
import { getPayoutSettings, toCreatorPayoutAccount } from "./payout-settings.ts";
import { listPayoutRuns, type PayoutRunView } from "./payout-views.ts";
import { type CarryOverReason, carryOverReason } from "./plan-payout-run.ts";
import { PAYOUT_METHODS, type PayoutMethod, PayoutProviderError, type PayoutProviders } from "./provider.ts";

export interface CreatorBalance {
  creatorId: string;
  creatorName: string;
  currency: string;
  method: PayoutMethod;
  /** Pending commissions (not approved yet) and when the first and last of them become approved. */
  pending: number;
  pendingCount: number;
  nextApprovalAt: Date | null;
  lastApprovalAt: Date | null;
  /** Approved, past their hold, in no payout, with unsettled adjustments netted: the next run's balance. */
  ready: number;
  /** Why `ready` is not paid by the next run (below the minimum, negative after clawbacks), or null. */
  carriedOver: CarryOverReason | null;
  /** Unsettled adjustments (clawbacks are negative), already part of `ready`. */
  adjustments: number;
  /** Approved but still inside the holding period. */
  onHold: number;
  onHoldUntil: Date | null;
  /** In a payout that is not finished (draft, approved, processing or failed). */
  inPayouts: number;
  paid: number;
}

export interface CurrencyTotals {
  currency: string;
  pending: number;
  ready: number;
  payable: number;
  belowMinimum: number;
  negative: number;
  onHold: number;
  inPayouts: number;
  paid: number;
}

export interface PayoutBalances {
  minimumPayout: { currency: string; amount: number }[];
  creators: CreatorBalance[];
  totals: CurrencyTotals[];
}

const OPEN_PAYOUT = ["draft", "approved", "processing", "failed"];

/**
 * A DateTime read back by raw SQL: a Date on PostgreSQL; on SQLite the stored epoch milliseconds (a number,
 * or a numeric string) or ISO text, which `new Date(string)` alone cannot all read.
 */
export function dateOfAggregate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === "number" || typeof value === "bigint") return new Date(Number(value));
  const text = String(value);
  const parsed = /^-?\d+$/.test(text) ? new Date(Number(text)) : new Date(text);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/**
 * The first and last end of hold of some commissions, per creator and currency. In SQL rather than a Prisma
 * groupBy: Prisma reads a DateTime _min/_max back as an Invalid Date on SQLite.
 */
async function holdDates(db: Db, storeId: string, creatorId: string | null, which: Sql) {
  const rows = await db.$queryRaw<{ creatorId: string; currency: string; first: unknown; last: unknown }[]>(sql`
    SELECT "creatorId", currency, MIN("holdUntil") AS first, MAX("holdUntil") AS last
    FROM "Commission"
    WHERE "storeId" = ${storeId} ${andIf(creatorId, sql`"creatorId" = ${creatorId}`)} AND ${which}
    GROUP BY "creatorId", currency`);
  return new Map(
    rows.map((r) => [
      JSON.stringify([r.creatorId, r.currency]),
      { first: dateOfAggregate(r.first), last: dateOfAggregate(r.last) },
    ]),
  );
}

/** One pending commission and the day its holding period ends, when the approval sweep approves it. */
export interface PendingCommission {
  commissionId: string;
  conversionId: string;
  creatorId: string;
  currency: string;
  amount: number;
  approvesAt: Date;
}

/** How many pending commissions the Payouts page lists; the balances still count every one. */
export const PENDING_LIST_LIMIT = 500;

/**
 * Pending commissions, the soonest approved first, each with its own approval date (its hold's end). At most
 * `limit`; `more` says whether others were left out.
 */
export async function pendingCommissions(
  db: Db,
  storeId: string,
  options: { creatorId?: string; limit?: number } = {},
): Promise<{ commissions: PendingCommission[]; more: boolean }> {
  const limit = options.limit ?? PENDING_LIST_LIMIT;
  const rows = await db.commission.findMany({
    where: { storeId, status: "pending", ...(options.creatorId ? { creatorId: options.creatorId } : {}) },
    orderBy: [{ holdUntil: "asc" }, { id: "asc" }],
    take: limit + 1,
    select: { id: true, conversionId: true, creatorId: true, currency: true, amount: true, holdUntil: true },
  });
  return {
    commissions: rows.slice(0, limit).map((r) => ({
      commissionId: r.id,
      conversionId: r.conversionId,
      creatorId: r.creatorId,
      currency: r.currency,
      amount: toSafeNumber(r.amount),
      approvesAt: r.holdUntil,
    })),
    more: rows.length > limit,
  };
}

/** Each creator's balances per currency, from aggregates (a store may have millions of commissions). */
export async function payoutBalances(
  db: Db,
  storeId: string,
  now: Date = new Date(),
  options: { creatorId?: string } = {},
): Promise<PayoutBalances> {
  const store = await requireStore(db, storeId);
  const settings = await getPayoutSettings(db, storeId);
  const by: ("creatorId" | "currency")[] = ["creatorId", "currency"];
  const one = options.creatorId ? { creatorId: options.creatorId } : {};
  const [pending, ready, onHold, adjustments, payouts, creators, accounts, pendingDates, onHoldDates] =
    await Promise.all([
      db.commission.groupBy({
        by,
        where: { storeId, ...one, status: "pending" },
        _sum: { amount: true },
        _count: { _all: true },
      }),
      db.commission.groupBy({
        by,
        where: { storeId, ...one, status: "approved", payoutId: null, holdUntil: { lte: now } },
        _sum: { amount: true },
      }),
      db.commission.groupBy({
        by,
        where: { storeId, ...one, status: "approved", payoutId: null, holdUntil: { gt: now } },
        _sum: { amount: true },
      }),
      db.commissionAdjustment.groupBy({ by, where: { storeId, ...one, payoutId: null }, _sum: { amount: true } }),
      db.payout.groupBy({
        by: ["creatorId", "currency", "status"],
        where: { storeId, ...one, status: { in: [...OPEN_PAYOUT, "paid"] } },
        _sum: { amount: true },
      }),
      db.creator.findMany({
        where: { storeId, ...(options.creatorId ? { id: options.creatorId } : {}) },
        select: { id: true, name: true },
      }),
      db.creatorPayoutAccount.findMany({ where: { storeId, ...one } }),
      holdDates(db, storeId, options.creatorId ?? null, sql`status = 'pending'`),
      holdDates(
        db,
        storeId,
        options.creatorId ?? null,
        sql`status = 'approved' AND "payoutId" IS NULL AND "holdUntil" > ${now}`,
      ),
    ]);
  const names = new Map(creators.map((c) => [c.id, c.name]));
  const methods = new Map(accounts.map((a) => [a.creatorId, toCreatorPayoutAccount(a).method]));
  const rows = new Map<string, CreatorBalance>();
  const row = (creatorId: string, currency: string) => {
    const key = JSON.stringify([creatorId, currency]);
    let r = rows.get(key);
    if (!r) {
      r = {
        creatorId,
        creatorName: names.get(creatorId) ?? creatorId,
        currency,
        method: methods.get(creatorId) ?? settings.provider,
        pending: 0,
        pendingCount: 0,
        nextApprovalAt: null,
        lastApprovalAt: null,
        ready: 0,
        carriedOver: null,
        adjustments: 0,
        onHold: 0,
        onHoldUntil: null,
        inPayouts: 0,
        paid: 0,
      };
      rows.set(key, r);
    }
    return r;
  };
  for (const g of pending) {
    const r = row(g.creatorId, g.currency);
    r.pending = toSafeNumber(g._sum?.amount ?? 0n);
    r.pendingCount = typeof g._count === "object" ? (g._count._all ?? 0) : 0;
    const dates = pendingDates.get(JSON.stringify([g.creatorId, g.currency]));
    r.nextApprovalAt = dates?.first ?? null;
    r.lastApprovalAt = dates?.last ?? null;
  }
  for (const g of ready) row(g.creatorId, g.currency).ready += toSafeNumber(g._sum?.amount ?? 0n);
  for (const g of adjustments) {
    const r = row(g.creatorId, g.currency);
    r.adjustments = toSafeNumber(g._sum?.amount ?? 0n);
    r.ready += r.adjustments;
  }
  for (const g of onHold) {
    const r = row(g.creatorId, g.currency);
    r.onHold = toSafeNumber(g._sum?.amount ?? 0n);
    r.onHoldUntil = onHoldDates.get(JSON.stringify([g.creatorId, g.currency]))?.last ?? null;
  }
  for (const g of payouts) {
    const r = row(g.creatorId, g.currency);
    const amount = toSafeNumber(g._sum?.amount ?? 0n);
    if (g.status === "paid") r.paid += amount;
    else r.inPayouts += amount;
  }
  const totals = new Map<string, CurrencyTotals>();
  for (const r of rows.values()) {
    const hasReady = ready.some((g) => g.creatorId === r.creatorId && g.currency === r.currency) || r.adjustments;
    r.carriedOver = hasReady ? carryOverReason(r.ready, minimumPayoutFor(store, r.currency)) : null;
    if (r.carriedOver === "nothing_due") r.carriedOver = null;
    const t = totals.get(r.currency) ?? {
      currency: r.currency,
      pending: 0,
      ready: 0,
      payable: 0,
      belowMinimum: 0,
      negative: 0,
      onHold: 0,
      inPayouts: 0,
      paid: 0,
    };
    t.pending += r.pending;
    t.ready += r.ready;
    if (r.carriedOver === "below_minimum") t.belowMinimum += r.ready;
    else if (r.carriedOver === "negative_balance") t.negative += r.ready;
    else if (r.ready > 0) t.payable += r.ready;
    t.onHold += r.onHold;
    t.inPayouts += r.inPayouts;
    t.paid += r.paid;
    totals.set(r.currency, t);
  }
  const sortedCurrencies = [...totals.keys()].sort();
  return {
    minimumPayout: [...new Set([store.currency, ...sortedCurrencies])].map((currency) => ({
      currency,
      amount: minimumPayoutFor(store, currency),
    })),
    creators: [...rows.values()].sort(
      (a, b) => a.creatorName.localeCompare(b.creatorName) || a.currency.localeCompare(b.currency),
    ),
    totals: sortedCurrencies.map((c) => totals.get(c)!),
  };
}

/**
 * What each creator is owed (earned, not paid yet: pending, on hold, ready net of clawbacks, in a payout)
 * and was paid, per currency, for the creators list and page.
 */
export function owedAndPaid(balances: PayoutBalances): Map<string, { currency: string; owed: number; paid: number }[]> {
  const byCreator = new Map<string, { currency: string; owed: number; paid: number }[]>();
  for (const b of balances.creators) {
    const list = byCreator.get(b.creatorId) ?? [];
    list.push({ currency: b.currency, owed: b.pending + b.onHold + b.ready + b.inPayouts, paid: b.paid });
    byCreator.set(b.creatorId, list);
  }
  return byCreator;
}

export interface CreatorPayoutSummary {
  method: PayoutMethod;
  amounts: { currency: string; owed: number; paid: number }[];
}

/** Each creator's payout method and what they are owed and were paid per currency (one creator or all). */
export async function creatorPayoutSummaries(
  db: Db,
  storeId: string,
  options: { creatorId?: string; now?: Date } = {},
): Promise<Record<string, CreatorPayoutSummary>> {
  const [balances, accounts, settings] = await Promise.all([
    payoutBalances(db, storeId, options.now ?? new Date(), { creatorId: options.creatorId }),
    db.creatorPayoutAccount.findMany({
      where: { storeId, ...(options.creatorId ? { creatorId: options.creatorId } : {}) },
    }),
    getPayoutSettings(db, storeId),
  ]);
  const owed = owedAndPaid(balances);
  const methods = new Map(accounts.map((a) => [a.creatorId, toCreatorPayoutAccount(a).method]));
  const creatorIds = new Set([...owed.keys(), ...methods.keys(), ...(options.creatorId ? [options.creatorId] : [])]);
  return Object.fromEntries(
    [...creatorIds].map((id) => [
      id,
      { method: methods.get(id) ?? settings.provider, amounts: owed.get(id) ?? [] } satisfies CreatorPayoutSummary,
    ]),
  );
}

export interface PayoutPreview {
  /** Identifies this exact plan: confirming with it refuses to start a run that would pay something else. */
  fingerprint: string;
  payouts: {
    creatorId: string;
    creatorName: string;
    method: PayoutMethod;
    amount: number;
    currency: string;
    commissionCount: number;
    commissionTotal: number;
    adjustmentTotal: number;
  }[];
  carryOver: { creatorId: string; creatorName: string; currency: string; balance: number; reason: CarryOverReason }[];
  totals: { currency: string; amount: number; count: number }[];
}

/** What "Pay now" would pay at `now`, computed exactly as createPayoutRun plans it, without storing anything. */
export async function previewPayoutRun(db: Db, storeId: string, now: Date = new Date()): Promise<PayoutPreview> {
  const store = await requireStore(db, storeId);
  const settings = await getPayoutSettings(db, storeId);
  const { plan, methods } = await loadPlan(db, store, settings.provider, now);
  const creatorIds = [...new Set([...plan.payouts, ...plan.carryOver].map((p) => p.creatorId))];
  const creators = await inChunks(creatorIds, (ids) =>
    db.creator.findMany({ where: { storeId, id: { in: ids } }, select: { id: true, name: true } }),
  );
  const names = new Map(creators.map((c) => [c.id, c.name]));
  const totals = new Map<string, { currency: string; amount: number; count: number }>();
  for (const p of plan.payouts) {
    const t = totals.get(p.currency) ?? { currency: p.currency, amount: 0, count: 0 };
    t.amount += p.amount;
    t.count++;
    totals.set(p.currency, t);
  }
  return {
    fingerprint: plan.payouts.map((p) => `${p.creatorId}:${p.currency}:${p.amount}`).join(","),
    payouts: plan.payouts.map((p) => ({
      creatorId: p.creatorId,
      creatorName: names.get(p.creatorId) ?? p.creatorId,
      method: methods(p.creatorId),
      amount: p.amount,
      currency: p.currency,
      commissionCount: p.commissions.length,
      commissionTotal: p.commissionTotal,
      adjustmentTotal: p.adjustmentTotal,
    })),
    carryOver: plan.carryOver
      .filter((c) => c.reason !== "nothing_due")
      .map((c) => ({
        creatorId: c.creatorId,
        creatorName: names.get(c.creatorId) ?? c.creatorId,
        currency: c.currency,
        balance: c.balance,
        reason: c.reason,
      })),
    totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
  };
}

/**
 * "Pay now" confirmed: refuses when the plan is no longer the one previewed (an order changed meanwhile),
 * then makes the run, approves it and sends it. Manual payouts stay processing until marked paid.
 */
export async function payNow(db: Db, storeId: string, fingerprint: string, deps: PayoutDeps): Promise<PayoutRunView> {
  const now = deps.now?.() ?? new Date();
  const preview = await previewPayoutRun(db, storeId, now);
  if (preview.payouts.length === 0) throw new AppError("conflict", "There is nothing to pay now.");
  if (preview.fingerprint !== fingerprint) {
    throw new AppError("conflict", "Balances changed since the preview: review what will be paid and confirm again.");
  }
  const run = await createPayoutRun(db, storeId, { now, approve: true });
  return executePayoutRun(db, storeId, run.id, deps);
}

export interface PayoutHistory {
  runs: PayoutRunView[];
  creatorNames: Record<string, string>;
  /** Per payout: the commissions it pays (first 50) with their conversion, and how many in all. */
  settled: Record<
    string,
    { count: number; commissions: { commissionId: string; conversionId: string; amount: number }[] }
  >;
}

const SETTLED_SHOWN = 50;

/** The latest runs with each payout's provider, status, reference, error and the commissions it pays. */
export async function payoutHistory(db: Db, storeId: string, options: { limit?: number } = {}): Promise<PayoutHistory> {
  const runs = await listPayoutRuns(db, storeId, { limit: options.limit ?? 20 });
  const payoutIds = runs.flatMap((r) => r.payouts.map((p) => p.id));
  const creatorIds = [...new Set(runs.flatMap((r) => [...r.payouts, ...r.carryOver].map((p) => p.creatorId)))];
  const [creators, counts] = await Promise.all([
    inChunks(creatorIds, (ids) =>
      db.creator.findMany({ where: { storeId, id: { in: ids } }, select: { id: true, name: true } }),
    ),
    inChunks(payoutIds, (ids) =>
      db.payoutItem.groupBy({
        by: ["payoutId"],
        where: { storeId, payoutId: { in: ids }, kind: "commission" },
        _count: { _all: true },
      }),
    ),
  ]);
  const names = Object.fromEntries(creators.map((c) => [c.id, c.name]));
  const settled: PayoutHistory["settled"] = {};
  for (const c of counts) settled[c.payoutId] = { count: c._count._all, commissions: [] };
  for (const payoutId of payoutIds) {
    if (!settled[payoutId]) continue;
    const items = await db.payoutItem.findMany({
      where: { storeId, payoutId, kind: "commission" },
      orderBy: { id: "asc" },
      take: SETTLED_SHOWN,
    });
    const commissions = await db.commission.findMany({
      where: { storeId, id: { in: items.flatMap((i) => (i.commissionId ? [i.commissionId] : [])) } },
      select: { id: true, conversionId: true },
    });
    const conversionOf = new Map(commissions.map((c) => [c.id, c.conversionId]));
    settled[payoutId].commissions = items.flatMap((i) =>
      i.commissionId
        ? [
            {
              commissionId: i.commissionId,
              conversionId: conversionOf.get(i.commissionId) ?? "",
              amount: toSafeNumber(i.amount),
            },
          ]
        : [],
    );
  }
  return { runs, creatorNames: names, settled };
}

export interface ProviderCheck {
  method: PayoutMethod;
  configured: boolean;
  ok: boolean | null;
  message: string;
}

/** Calls each configured provider with its credentials (no money moves); unconfigured ones say so. */
export async function checkPayoutProviders(providers: PayoutProviders): Promise<ProviderCheck[]> {
  return Promise.all(
    PAYOUT_METHODS.map(async (method): Promise<ProviderCheck> => {
      const provider = providers[method];
      if (!provider) return { method, configured: false, ok: null, message: "not configured" };
      try {
        return { method, configured: true, ok: true, message: await provider.checkCredentials() };
      } catch (error) {
        if (!(error instanceof PayoutProviderError)) throw error;
        return { method, configured: true, ok: false, message: error.message };
      }
    }),
  );
}
