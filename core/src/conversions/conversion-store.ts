import { inChunks } from "../admin/sql.ts";
import type { Campaign } from "../campaigns/campaign.ts";
import { toCampaign } from "../campaigns/campaign-store.ts";
import {
  applyReconciliation,
  budgetReservation,
  type CommissionState,
  type CommissionStatus,
  holdUntil,
  ledgerEntriesForChange,
  ledgerTransfers,
  type OrderSnapshot,
  reconcileCommission,
} from "../commissions/index.ts";
import { type Creator, toCreator } from "../creators/creator.ts";
import { type Db, joinSql, providerOfDb, sql } from "../db/client.ts";
import { Prisma } from "../db/generated/sqlite/index.js";
import { insertRows, upsertRows } from "../db/insert-rows.ts";
import { toSafeNumber } from "../shared/db-errors.ts";
import { newId } from "../shared/ids.ts";
import { type ConversionFacts, type ConversionKind, goalOf, planAttribution } from "./plan-attribution.ts";
import { markConversionsChanged, markDaysChanged } from "./stale-days.ts";
import { type ResolvedTouch, touchKey } from "./touches.ts";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

const TX_OPTIONS = { maxWait: 30_000, timeout: 30_000 } as const;

export interface ConversionSource {
  sourceKey: string;
  kind: ConversionKind;
  orderId?: string | null;
  eventId?: string | null;
  value: number;
  currency: string;
  occurredAt: Date;
}

/** One conversion per source (order or event), however many deliveries race to create it. */
export async function ensureConversion(db: Db, storeId: string, source: ConversionSource) {
  return (await ensureConversions(db, storeId, [source]))[0]!;
}

export async function ensureConversions(db: Db, storeId: string, sources: readonly ConversionSource[]) {
  const unique = [...new Map(sources.map((s) => [s.sourceKey, s])).values()];
  const now = new Date();
  // Existing conversions conflict and are skipped in the same statement; then one read returns them all.
  await upsertRows(
    db,
    "Conversion",
    unique.map((source) => ({
      id: newId("cv"),
      storeId,
      kind: source.kind,
      sourceKey: source.sourceKey,
      orderId: source.orderId ?? null,
      eventId: source.eventId ?? null,
      value: source.value,
      currency: source.currency,
      occurredAt: source.occurredAt,
      status: "new",
      createdAt: now,
      updatedAt: now,
    })),
    { conflict: ["storeId", "sourceKey"], returning: ["id"] },
  );
  const rows = await db.conversion.findMany({ where: { storeId, sourceKey: { in: unique.map((s) => s.sourceKey) } } });
  const byKey = new Map(rows.map((r) => [r.sourceKey, r]));
  return sources.map((s) => byKey.get(s.sourceKey)!);
}

async function loadParties(db: Db | Tx, storeId: string, touches: readonly ResolvedTouch[]) {
  const campaignIds = [...new Set(touches.map((t) => t.campaignId))];
  const creatorIds = [...new Set(touches.map((t) => t.creatorId))];
  const [campaignRows, creatorRows] = await Promise.all([
    campaignIds.length ? db.campaign.findMany({ where: { storeId, id: { in: campaignIds } } }) : [],
    creatorIds.length ? db.creator.findMany({ where: { storeId, id: { in: creatorIds } } }) : [],
  ]);
  return {
    campaigns: new Map<string, Campaign>(campaignRows.map((r) => [r.id, toCampaign(r)])),
    creators: new Map<string, Creator>(creatorRows.map((r) => [r.id, toCreator(r)])),
  };
}

export interface AttributionItem {
  conversionId: string;
  touches: readonly ResolvedTouch[];
  facts: ConversionFacts;
}

export async function attributeConversion(
  db: Db,
  storeId: string,
  conversionId: string,
  touches: readonly ResolvedTouch[],
  facts: ConversionFacts,
  now: Date,
) {
  return attributeConversions(db, storeId, [{ conversionId, touches, facts }], now);
}

const REATTRIBUTABLE = new Set(["pending", "rejected", "over_budget"]);

/**
 * Attributes conversions once: in one transaction the batch claims the conversions whose touch set is
 * new to them (status "new", or different touches than last time), so a racing batch finds them claimed
 * and leaves. A changed touch set (the browser's event arrived after the webhook) re-attributes, but only
 * while every commission is still pending: nothing approved or paid is ever rewritten.
 */
export async function attributeConversions(
  db: Db,
  storeId: string,
  items: readonly AttributionItem[],
  now: Date,
): Promise<number> {
  if (items.length === 0) return 0;
  const { campaigns, creators } = await loadParties(
    db,
    storeId,
    items.flatMap((i) => i.touches),
  );
  const planned = new Map(
    items.map((item) => [
      item.conversionId,
      { item, key: touchKey(item.touches), plan: planAttribution(item.touches, campaigns, creators, item.facts) },
    ]),
  );
  return db.$transaction(async (tx) => {
    const ids = [...planned.keys()];
    // On PostgreSQL the rows are locked until commit, so a racing batch waits and then sees our result;
    // a SQLite transaction holds the whole database already.
    const current =
      providerOfDb(db) === "postgresql"
        ? await tx.$queryRaw<{ id: string; status: string; touchKey: string | null; occurredAt: Date }[]>(
            sql`SELECT id, status, "touchKey", "occurredAt" FROM "Conversion" WHERE "storeId" = ${storeId} AND id IN (${joinSql(ids)}) ORDER BY id FOR UPDATE`,
          )
        : await tx.conversion.findMany({
            where: { storeId, id: { in: ids } },
            select: { id: true, status: true, touchKey: true, occurredAt: true },
          });
    const candidates = current.filter((c) => c.status === "new" || c.touchKey !== planned.get(c.id)!.key);
    if (candidates.length === 0) return 0;
    const again = candidates.filter((c) => c.status !== "new").map((c) => c.id);
    const previous = again.length
      ? await tx.commission.findMany({ where: { storeId, conversionId: { in: again } } })
      : [];
    const locked = new Set(previous.filter((c) => !REATTRIBUTABLE.has(c.status)).map((c) => c.conversionId));
    const claimed = candidates.filter((c) => !locked.has(c.id));
    if (claimed.length === 0) return 0;
    const claimedIds = new Set(claimed.map((c) => c.id));
    const undo = previous.filter((c) => claimedIds.has(c.conversionId));
    for (const c of undo) {
      const held = toSafeNumber(c.reserved);
      if (held === 0) continue;
      await tx.campaign.update({ where: { id: c.campaignId }, data: { budgetUsed: { decrement: held } } });
      await tx.budgetEntry.create({
        data: { id: newId("bl"), storeId, campaignId: c.campaignId, commissionId: c.id, kind: "release", amount: held },
      });
    }
    if (undo.length > 0) {
      const ids = [...new Set(undo.map((c) => c.conversionId))];
      await tx.commission.deleteMany({ where: { storeId, conversionId: { in: ids } } });
      await tx.attribution.deleteMany({ where: { storeId, conversionId: { in: ids } } });
    }
    const attributions = [];
    const commissions = [];
    const entries = [];
    const budgets = new Map<string, { cap: number | null; used: number; currency: string; added: number }>();
    const campaignIds = [
      ...new Set(
        claimed.flatMap((c) => (planned.get(c.id)!.plan.campaign ? [planned.get(c.id)!.plan.campaign!.id] : [])),
      ),
    ];
    if (campaignIds.length > 0) {
      // Touch each campaign row before reading it: on PostgreSQL that holds its lock until commit, so
      // concurrent batches reserve budget one after the other and never see a stale budgetUsed.
      // Rows are locked in id order so that two batches over the same campaigns cannot deadlock.
      await lockRows(tx, db, "Campaign", storeId, campaignIds);
      for (const r of await tx.campaign.findMany({
        where: { storeId, id: { in: campaignIds } },
        select: { id: true, budgetCap: true, budgetUsed: true, currency: true },
      })) {
        budgets.set(r.id, {
          cap: r.budgetCap === null ? null : toSafeNumber(r.budgetCap),
          used: toSafeNumber(r.budgetUsed),
          currency: r.currency,
          added: 0,
        });
      }
    }
    const statusUpdates: { id: string; status: string; rule: string | null; reason: string | null }[] = [];
    for (const conversion of claimed) {
      const { item, plan } = planned.get(conversion.id)!;
      const { facts } = item;
      const campaign = plan.campaign;
      statusUpdates.push({
        id: conversion.id,
        status: plan.status,
        rule: plan.rejection?.rule ?? null,
        reason: plan.rejection?.reason ?? null,
      });
      if (!campaign) continue;
      for (const c of plan.credits) {
        attributions.push({
          id: newId("at"),
          storeId,
          conversionId: conversion.id,
          campaignId: campaign.id,
          creatorId: c.touch.creatorId,
          clickId: c.touch.kind === "click" ? c.touch.id : null,
          touchKind: c.touch.kind,
          touchAt: new Date(c.touch.at),
          position: c.position,
          weightPpm: c.weightPpm,
          credit: c.amount,
          model: campaign.attributionModel,
        });
      }
      const hold = holdUntil(facts.occurredAt, campaign.holdingDays);
      const budget = budgets.get(campaign.id)!;
      for (const c of plan.commissions) {
        let status: CommissionStatus = c.verdict.ok ? "pending" : "rejected";
        let reason = c.verdict.ok ? null : c.verdict.reason;
        let reserved = 0;
        if (status === "pending") {
          if (budget.cap !== null && facts.currency !== budget.currency) {
            status = "over_budget";
            reason = `order currency ${facts.currency} differs from the budget currency ${budget.currency}`;
          } else if (facts.currency !== budget.currency) {
            // An uncapped campaign pays it, but its budget counts only its own currency: never add currencies.
            reserved = 0;
          } else {
            const decision = budgetReservation(budget.cap, budget.used + budget.added, c.amount);
            if (decision.overBudget) {
              status = "over_budget";
              reason = "campaign budget cap reached";
            } else {
              reserved = decision.reserve;
              budget.added += reserved;
            }
          }
        }
        const id = newId("cm");
        commissions.push({
          id,
          storeId,
          conversionId: conversion.id,
          campaignId: campaign.id,
          creatorId: c.creatorId,
          goal: goalOf(facts.kind),
          status,
          amount: status === "pending" ? c.amount : 0,
          original: c.amount,
          reserved,
          currency: facts.currency,
          base: campaign.commissionBase,
          rule: c.verdict.ok ? (status === "over_budget" ? "over_budget" : null) : c.verdict.rule,
          reason,
          holdUntil: hold,
        });
        if (reserved > 0)
          entries.push({
            id: newId("bl"),
            storeId,
            campaignId: campaign.id,
            commissionId: id,
            kind: "reserve",
            amount: reserved,
          });
      }
    }
    await insertRows(tx, "Attribution", attributions);
    await insertRows(
      tx,
      "Commission",
      commissions.map((c) => ({ ...c, createdAt: now, updatedAt: now })),
    );
    await insertRows(
      tx,
      "BudgetEntry",
      entries.map((e) => ({ ...e, createdAt: now })),
    );
    for (const [id, b] of budgets) {
      if (b.added > 0) await tx.campaign.update({ where: { id }, data: { budgetUsed: { increment: b.added } } });
    }
    // One statement sets every conversion's outcome and touch fingerprint (UPDATE … FROM VALUES works on both).
    const values = statusUpdates.map(
      (u) => sql`(${u.id}, ${u.status}, ${planned.get(u.id)!.key}, ${u.rule}, ${u.reason})`,
    );
    await tx.$executeRaw(
      sql`UPDATE "Conversion" SET status = v.column2, "touchKey" = v.column3, "rejectRule" = v.column4, "rejectReason" = v.column5 FROM (VALUES ${joinSql(values)}) AS v WHERE "Conversion".id = v.column1`,
    );
    await markDaysChanged(
      tx,
      storeId,
      claimed.map((c) => c.occurredAt),
    );
    return claimed.length;
  }, TX_OPTIONS);
}

/**
 * Brings every commission of a conversion in line with the order as it is now (or, for sign-ups, a
 * conversion that is simply confirmed), moving budget and recording clawbacks for paid commissions.
 */
/** An order's state on both commission bases (orders/order-store.ts snapshotOf); events have only one. */
export type BaseSnapshot = OrderSnapshot & { orderTotal?: number; orderRefunded?: number };

/** The snapshot a commission computed on `base` is reconciled against. */
function snapshotOnBase(snapshot: BaseSnapshot, base: string): OrderSnapshot {
  if (base !== "order_total" || snapshot.orderTotal === undefined) {
    return { status: snapshot.status, total: snapshot.total, refunded: snapshot.refunded };
  }
  const total = snapshot.orderTotal;
  return { status: snapshot.status, total, refunded: Math.min(Math.max(snapshot.orderRefunded ?? 0, 0), total) };
}

export async function reconcileConversion(
  db: Db,
  storeId: string,
  conversionId: string,
  snapshot: BaseSnapshot,
  now: Date,
) {
  return reconcileConversions(db, storeId, [{ conversionId, snapshot }], now);
}

export async function reconcileConversions(
  db: Db,
  storeId: string,
  items: readonly { conversionId: string; snapshot: BaseSnapshot }[],
  now: Date,
): Promise<number> {
  if (items.length === 0) return 0;
  const snapshots = new Map(items.map((i) => [i.conversionId, i.snapshot]));
  const ids = [...snapshots.keys()];
  // Nothing to do is the common case (a fresh order, a replay): find out without a transaction.
  const peek = await db.commission.findMany({
    where: { storeId, conversionId: { in: ids }, status: { notIn: ["rejected", "over_budget"] } },
    select: {
      id: true,
      conversionId: true,
      status: true,
      amount: true,
      original: true,
      paidAmount: true,
      holdUntil: true,
      base: true,
    },
  });
  const needed = peek.some((row) => {
    if (row.status === "paid") return true;
    const result = reconcileCommission({
      existing: {
        status: row.status as CommissionStatus,
        amount: toSafeNumber(row.amount),
        original: toSafeNumber(row.original),
        paidAmount: toSafeNumber(row.paidAmount),
        adjustments: 0,
        holdUntil: row.holdUntil,
      },
      order: snapshotOnBase(snapshots.get(row.conversionId)!, row.base),
      now,
    });
    return result.changed;
  });
  if (!needed) return 0;
  return db.$transaction(async (tx) => {
    // Locking the conversion rows first (in id order) makes concurrent reconciliations of one order take
    // turns; campaign rows are then updated in id order too, so two batches cannot deadlock.
    await lockRows(tx, db, "Conversion", storeId, ids);
    const commissions = await tx.commission.findMany({
      where: { storeId, conversionId: { in: ids } },
      orderBy: [{ campaignId: "asc" }, { id: "asc" }],
    });
    // In slices: a batch's commissions (several creators per order) can be more than one statement may bind.
    const sums = await inChunks(
      commissions.map((c) => c.id),
      (ids) =>
        tx.commissionAdjustment.groupBy({
          by: ["commissionId"],
          where: { storeId, commissionId: { in: ids } },
          _sum: { amount: true },
        }),
    );
    const adjusted = new Map(sums.map((s) => [s.commissionId, toSafeNumber(s._sum.amount ?? 0n)]));
    const campaignCurrency = await campaignCurrencies(
      tx,
      storeId,
      commissions.map((c) => c.campaignId),
    );
    let changed = 0;
    const changedConversions = new Set<string>();
    for (const row of commissions) {
      const existing: CommissionState = {
        status: row.status as CommissionStatus,
        amount: toSafeNumber(row.amount),
        original: toSafeNumber(row.original),
        paidAmount: toSafeNumber(row.paidAmount),
        adjustments: adjusted.get(row.id) ?? 0,
        holdUntil: row.holdUntil,
      };
      const result = reconcileCommission({
        existing,
        order: snapshotOnBase(snapshots.get(row.conversionId)!, row.base),
        now,
      });
      if (!result.changed) continue;
      changed++;
      changedConversions.add(row.conversionId);
      const after = applyReconciliation(existing, result);
      let reserved = toSafeNumber(row.reserved);
      // Budget is kept in the campaign's currency: a commission in another currency never moves it.
      const inBudget = row.currency === campaignCurrency.get(row.campaignId);
      for (const e of inBudget ? ledgerEntriesForChange(existing, after) : []) {
        const delta = e.kind === "adjust" ? e.amount : -e.amount;
        reserved += delta;
        await tx.campaign.update({ where: { id: row.campaignId }, data: { budgetUsed: { increment: delta } } });
        await tx.budgetEntry.create({
          data: {
            id: newId("bl"),
            storeId,
            campaignId: row.campaignId,
            commissionId: row.id,
            kind: e.kind,
            amount: e.amount,
          },
        });
      }
      // Budget-neutral moves between the ledger's reserved, released and paid buckets (an approval, say).
      for (const e of inBudget ? ledgerTransfers(existing, after) : []) {
        await tx.budgetEntry.create({
          data: {
            id: newId("bl"),
            storeId,
            campaignId: row.campaignId,
            commissionId: row.id,
            kind: e.kind,
            amount: e.amount,
          },
        });
      }
      if (result.newAdjustment !== 0) {
        await tx.commissionAdjustment.create({
          data: {
            id: newId("adj"),
            storeId,
            commissionId: row.id,
            creatorId: row.creatorId,
            amount: result.newAdjustment,
            currency: row.currency,
            reason:
              result.newAdjustment < 0 ? "order refunded or cancelled after payout" : "order restored after payout",
          },
        });
      }
      await tx.commission.update({
        where: { id: row.id },
        data: {
          status: result.status,
          amount: result.amount,
          reserved,
          approvedAt: result.status === "approved" && row.status !== "approved" ? now : row.approvedAt,
          reversedAt: result.status === "reversed" ? (row.status === "reversed" ? row.reversedAt : now) : null,
        },
      });
    }
    await markConversionsChanged(tx, db, storeId, changedConversions);
    return changed;
  }, TX_OPTIONS);
}

/** Each campaign's currency: the only currency its budget counts. */
export async function campaignCurrencies(tx: Tx, storeId: string, campaignIds: readonly string[]) {
  const ids = [...new Set(campaignIds)];
  if (ids.length === 0) return new Map<string, string>();
  const rows = await tx.campaign.findMany({
    where: { storeId, id: { in: ids } },
    select: { id: true, currency: true },
  });
  return new Map(rows.map((r) => [r.id, r.currency]));
}

/**
 * Row locks held until the transaction ends, taken in id order. PostgreSQL needs them (READ COMMITTED);
 * a SQLite transaction already holds the whole database, so there it is a no-op.
 */
async function lockRows(tx: Tx, db: Db, table: "Campaign" | "Conversion", storeId: string, ids: readonly string[]) {
  if (ids.length === 0 || providerOfDb(db) !== "postgresql") return;
  const sorted = [...ids].sort();
  await tx.$queryRaw(
    sql`SELECT id FROM ${Prisma.raw(`"${table}"`)} WHERE "storeId" = ${storeId} AND id IN (${joinSql(sorted)}) ORDER BY id FOR UPDATE`,
  );
}

export interface CommissionView {
  id: string;
  campaignId: string;
  creatorId: string;
  status: CommissionStatus;
  amount: number;
  /** Before refunds; what it would have been when rejected (metrics/definitions.ts). */
  original: number;
  currency: string;
  rule: string | null;
  reason: string | null;
}

export async function conversionView(db: Db, storeId: string, conversionId: string) {
  return (await conversionViews(db, storeId, [conversionId]))[0]!;
}

export async function conversionViews(db: Db, storeId: string, conversionIds: readonly string[]) {
  const [conversions, allCommissions] = await Promise.all([
    db.conversion.findMany({ where: { storeId, id: { in: [...conversionIds] } } }),
    db.commission.findMany({
      where: { storeId, conversionId: { in: [...conversionIds] } },
      orderBy: { creatorId: "asc" },
    }),
  ]);
  const byId = new Map(conversions.map((c) => [c.id, c]));
  return conversionIds.map((conversionId) => {
    const conversion = byId.get(conversionId);
    if (!conversion) throw new Error(`conversion ${conversionId} not found`);
    const commissions = allCommissions.filter((c) => c.conversionId === conversionId);
    return toView(conversionId, conversion, commissions);
  });
}

function toView(
  conversionId: string,
  conversion: { status: string; rejectRule: string | null; rejectReason: string | null },
  commissions: {
    id: string;
    campaignId: string;
    creatorId: string;
    status: string;
    amount: bigint;
    original: bigint;
    currency: string;
    rule: string | null;
    reason: string | null;
  }[],
) {
  return {
    conversionId,
    status: conversion.status as "new" | "attributed" | "unattributed" | "rejected",
    rejectRule: conversion.rejectRule,
    rejectReason: conversion.rejectReason,
    commissions: commissions.map(
      (c): CommissionView => ({
        id: c.id,
        campaignId: c.campaignId,
        creatorId: c.creatorId,
        status: c.status as CommissionStatus,
        amount: toSafeNumber(c.amount),
        original: toSafeNumber(c.original),
        currency: c.currency,
        rule: c.rule,
        reason: c.reason,
      }),
    ),
  };
}
