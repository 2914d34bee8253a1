import type { Campaign } from "../campaigns/campaign.ts";
import { toCampaign } from "../campaigns/campaign-store.ts";
import type { Bonus } from "../campaigns/commission-plan.ts";
import {
  type CommissionState,
  type CommissionStatus,
  holdUntil,
  type OrderSnapshot,
  reconcileCommission,
} from "../commissions/index.ts";
import { bonusKey } from "../commissions/tiers-bonuses.ts";
import { type Creator, toCreator } from "../creators/creator.ts";
import { type Db, joinSql, providerOfDb, sql } from "../db/client.ts";
import { insertRows, upsertRows } from "../db/insert-rows.ts";
import { lockRows, type Tx } from "../db/lock-rows.ts";
import {
  applyCommissionChange,
  commissionLedgerReads,
  type NewCommission,
  type OpenBudget,
  openBudgets,
  recordCommissions,
  releaseForReattribution,
  reserveBudget,
} from "../ledger/index.ts";
import { parseJson, toSafeNumber } from "../shared/db-errors.ts";
import { newId } from "../shared/ids.ts";
import { progressTracker } from "./creator-progress.ts";
import type { BaseSnapshot } from "./order-snapshot.ts";
import { type ConversionFacts, type ConversionKind, goalOf, planAttribution } from "./plan-attribution.ts";
import { applyProgressRules } from "./progress-rules.ts";
import { markConversionsChanged, markDaysChanged } from "./stale-days.ts";
import { type ResolvedTouch, touchKey } from "./touches.ts";

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
    await releaseForReattribution(tx, storeId, undo);
    if (undo.length > 0) {
      const ids = [...new Set(undo.map((c) => c.conversionId))];
      await tx.attribution.deleteMany({ where: { storeId, conversionId: { in: ids } } });
    }
    const attributions = [];
    const commissions: NewCommission[] = [];
    const campaignIds = [
      ...new Set(
        claimed.flatMap((c) => (planned.get(c.id)!.plan.campaign ? [planned.get(c.id)!.plan.campaign!.id] : [])),
      ),
    ];
    const budgets = await openBudgets(tx, db, storeId, campaignIds);
    const statusUpdates: { id: string; status: string; rule: string | null; reason: string | null }[] = [];
    const progress = progressTracker(tx, storeId);
    const bonuses: { campaign: Campaign; creatorId: string; bonus: Bonus; at: Date; holdUntil: Date }[] = [];
    for (const conversion of claimed) {
      const { item } = planned.get(conversion.id)!;
      const { facts } = item;
      // Tiers and bonuses read the creator's progress now that the campaign's row is locked.
      const progressed = await applyProgressRules({
        plan: planned.get(conversion.id)!.plan,
        touches: item.touches,
        facts,
        campaigns,
        creators,
        progress,
      });
      const plan = progressed.plan;
      const campaign = plan.campaign;
      if (campaign) {
        for (const { creatorId, bonus } of progressed.bonuses)
          bonuses.push({
            campaign,
            creatorId,
            bonus,
            at: facts.occurredAt,
            holdUntil: holdUntil(facts.occurredAt, campaign.holdingDays),
          });
      }
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
        const reservation = c.verdict.ok
          ? reserveBudget(budget, facts.currency, c.amount)
          : { status: "rejected" as const, reason: c.verdict.reason, reserved: 0 };
        const { status, reason, reserved } = reservation;
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
          tier: c.tier,
          credit: c.credit,
          lines: JSON.stringify(c.lines),
        });
      }
    }
    commissions.push(...(await recordBonusConversions(tx, storeId, bonuses, budgets, now)));
    await insertRows(tx, "Attribution", attributions);
    await recordCommissions(tx, storeId, commissions, budgets, now);
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
 * A bonus a creator reached: a conversion of kind "bonus" keyed by campaign, creator, bonus and period, and its
 * commission (goal "bonus", the bonus's amount) through the ledger like any other, so payouts pay it. The key
 * is unique: a bonus some other transaction recorded first is skipped, so it is paid exactly once.
 */
async function recordBonusConversions(
  tx: Tx,
  storeId: string,
  bonuses: readonly { campaign: Campaign; creatorId: string; bonus: Bonus; at: Date; holdUntil: Date }[],
  budgets: ReadonlyMap<string, OpenBudget>,
  now: Date,
): Promise<NewCommission[]> {
  if (bonuses.length === 0) return [];
  const rows = bonuses.map((b) => ({
    id: newId("cv"),
    storeId,
    kind: "bonus",
    sourceKey: `bonus:${bonusKey(b.campaign.id, b.creatorId, b.bonus, b.at)}`,
    orderId: null,
    eventId: null,
    value: 0,
    currency: b.campaign.currency,
    occurredAt: b.at,
    status: "attributed",
    createdAt: now,
    updatedAt: now,
  }));
  const inserted = new Map(
    (
      await upsertRows<{ id: string; sourceKey: string }>(tx, "Conversion", rows, {
        conflict: ["storeId", "sourceKey"],
        returning: ["id", "sourceKey"],
      })
    ).map((r) => [r.sourceKey, r.id]),
  );
  const commissions: NewCommission[] = [];
  bonuses.forEach((b, i) => {
    const conversionId = inserted.get(rows[i]!.sourceKey);
    if (!conversionId) return;
    inserted.delete(rows[i]!.sourceKey);
    const { status, reason, reserved } = reserveBudget(
      budgets.get(b.campaign.id)!,
      b.campaign.currency,
      b.bonus.amount,
    );
    commissions.push({
      id: newId("cm"),
      storeId,
      conversionId,
      campaignId: b.campaign.id,
      creatorId: b.creatorId,
      goal: "bonus",
      status,
      amount: status === "pending" ? b.bonus.amount : 0,
      original: b.bonus.amount,
      reserved,
      currency: b.campaign.currency,
      base: "bonus",
      rule: status === "over_budget" ? "over_budget" : null,
      reason: reason ?? `bonus ${b.bonus.key}`,
      holdUntil: b.holdUntil,
      tier: 0,
      credit: 0,
      lines: "[]",
    });
  });
  return commissions;
}

/** A commission's original over the order's lines ([] when no product rate applied). */
function commissionLines(text: string): { lineId: string; amount: number }[] {
  return parseJson<{ lineId: string; amount: number }[]>(text, []);
}

/** The snapshot a commission computed on `base` is reconciled against. */
function snapshotOnBase(snapshot: BaseSnapshot, base: string): OrderSnapshot {
  if (base !== "order_total" || snapshot.orderTotal === undefined) {
    return {
      status: snapshot.status,
      total: snapshot.total,
      refunded: snapshot.refunded,
      ...(snapshot.lines ? { lines: snapshot.lines, refundLines: snapshot.refundLines ?? [] } : {}),
    };
  }
  const total = snapshot.orderTotal;
  return { status: snapshot.status, total, refunded: Math.min(Math.max(snapshot.orderRefunded ?? 0, 0), total) };
}

/**
 * Brings every commission of a conversion in line with the order as it is now (or, for sign-ups, a
 * conversion that is simply confirmed), moving budget and recording clawbacks for paid commissions.
 */
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
      lines: true,
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
        lines: commissionLines(row.lines),
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
    const { adjusted, campaignCurrency } = await commissionLedgerReads(tx, storeId, commissions);
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
        lines: commissionLines(row.lines),
      };
      const result = reconcileCommission({
        existing,
        order: snapshotOnBase(snapshots.get(row.conversionId)!, row.base),
        now,
      });
      if (!result.changed) continue;
      changed++;
      changedConversions.add(row.conversionId);
      // Budget is kept in the campaign's currency: a commission in another currency never moves it.
      const inBudget = row.currency === campaignCurrency.get(row.campaignId);
      await applyCommissionChange(tx, storeId, row, existing, result, inBudget, now);
    }
    await markConversionsChanged(tx, db, storeId, changedConversions);
    return changed;
  }, TX_OPTIONS);
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
