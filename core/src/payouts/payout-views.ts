// What payouts and payout runs look like to the admin, the portal and the CLI, read from storage.

import type { Db } from "../db/client.ts";
import { parseJson, toSafeNumber } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";
import type { CarryOver } from "./plan-payout-run.ts";
import { type PayoutMethod, PayoutMethodSchema } from "./provider.ts";

export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
export type Client = Db | Tx;
export type PayoutRow = NonNullable<Awaited<ReturnType<Db["payout"]["findUnique"]>>>;
type RunRow = NonNullable<Awaited<ReturnType<Db["payoutRun"]["findUnique"]>>>;

export const PAYOUT_STATUSES = ["draft", "approved", "processing", "paid", "failed", "cancelled"] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];
export type PayoutRunStatus = "draft" | "approved" | "completed" | "cancelled";

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

export async function requirePayoutRow(db: Client, storeId: string, payoutId: string): Promise<PayoutRow> {
  const row = await db.payout.findFirst({ where: { id: payoutId, storeId } });
  if (!row) throw new AppError("not_found", `payout ${payoutId} not found`);
  return row;
}
