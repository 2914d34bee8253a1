import type { Campaign } from "../campaigns/campaign.ts";
import { toCampaign } from "../campaigns/campaign-store.ts";
import {
  applyReconciliation,
  budgetReservation,
  type CommissionState,
  type CommissionStatus,
  holdUntil,
  ledgerEntriesForChange,
  type OrderSnapshot,
  reconcileCommission,
} from "../commissions/index.ts";
import { type Creator, toCreator } from "../creators/creator.ts";
import type { Db } from "../db/client.ts";
import { isUniqueViolation, toSafeNumber } from "../shared/db-errors.ts";
import { newId } from "../shared/ids.ts";
import { type ConversionFacts, type ConversionKind, planAttribution } from "./plan-attribution.ts";
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
  const where = { storeId_sourceKey: { storeId, sourceKey: source.sourceKey } };
  const existing = await db.conversion.findUnique({ where });
  if (existing) return existing;
  try {
    return await db.conversion.create({
      data: {
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
      },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return db.conversion.findUniqueOrThrow({ where });
  }
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

/**
 * Attributes a conversion once: the first caller claims it, concurrent callers find it claimed and leave.
 * A later call with a different touch set (the browser's event arrived after the webhook) re-attributes,
 * but only while every commission is still pending, so nothing approved or paid is ever rewritten.
 */
export async function attributeConversion(
  db: Db,
  storeId: string,
  conversionId: string,
  touches: readonly ResolvedTouch[],
  facts: ConversionFacts,
  now: Date,
): Promise<"attributed" | "unchanged" | "locked"> {
  const key = touchKey(touches);
  const { campaigns, creators } = await loadParties(db, storeId, touches);
  const plan = planAttribution(touches, campaigns, creators, facts);
  return db.$transaction(async (tx) => {
    const conversion = await tx.conversion.findFirst({ where: { id: conversionId, storeId } });
    if (!conversion) return "unchanged";
    if (conversion.status !== "new" && conversion.touchKey === key) return "unchanged";
    // Taking the row (a conditional update) serializes racing attributions of one conversion on PostgreSQL.
    const claimed = await tx.conversion.updateMany({
      where: { id: conversionId, storeId, status: conversion.status, touchKey: conversion.touchKey },
      data: { touchKey: key },
    });
    if (claimed.count !== 1) return "unchanged";
    if (conversion.status !== "new") {
      const previous = await tx.commission.findMany({ where: { storeId, conversionId } });
      if (previous.some((c) => !["pending", "rejected", "over_budget"].includes(c.status))) {
        await tx.conversion.update({ where: { id: conversionId }, data: { touchKey: conversion.touchKey } });
        return "locked";
      }
      for (const c of previous) {
        const held = toSafeNumber(c.reserved);
        if (held > 0) {
          await tx.campaign.update({ where: { id: c.campaignId }, data: { budgetUsed: { decrement: held } } });
          await tx.budgetEntry.create({
            data: {
              id: newId("bl"),
              storeId,
              campaignId: c.campaignId,
              commissionId: c.id,
              kind: "release",
              amount: held,
            },
          });
        }
      }
      await tx.commission.deleteMany({ where: { storeId, conversionId } });
      await tx.attribution.deleteMany({ where: { storeId, conversionId } });
    }
    if (plan.credits.length > 0 && plan.campaign) {
      await tx.attribution.createMany({
        data: plan.credits.map((c) => ({
          id: newId("at"),
          storeId,
          conversionId,
          campaignId: plan.campaign!.id,
          creatorId: c.touch.creatorId,
          clickId: c.touch.kind === "click" ? c.touch.id : null,
          touchKind: c.touch.kind,
          touchAt: new Date(c.touch.at),
          position: c.position,
          weightPpm: c.weightPpm,
          credit: c.amount,
          model: plan.campaign!.attributionModel,
        })),
      });
    }
    if (plan.campaign) {
      const campaign = plan.campaign;
      const hold = holdUntil(facts.occurredAt, campaign.holdingDays);
      const rejectedNoCredit = plan.commissions.length === 0 && plan.rejection;
      const planned = rejectedNoCredit ? [] : plan.commissions;
      for (const c of planned) {
        let status: CommissionStatus = c.verdict.ok ? "pending" : "rejected";
        let reason = c.verdict.ok ? null : c.verdict.reason;
        let reserved = 0;
        if (status === "pending") {
          const reservation = await reserveBudget(tx, campaign, c.amount, facts.currency);
          if (reservation.overBudget) {
            status = "over_budget";
            reason = reservation.reason;
          } else reserved = reservation.reserve;
        }
        const id = newId("cm");
        await tx.commission.create({
          data: {
            id,
            storeId,
            conversionId,
            campaignId: campaign.id,
            creatorId: c.creatorId,
            goal: facts.kind === "lead" ? "sign_up" : facts.kind,
            status,
            amount: status === "pending" ? c.amount : 0,
            original: c.amount,
            reserved,
            currency: facts.currency,
            rule: c.verdict.ok ? (status === "over_budget" ? "over_budget" : null) : c.verdict.rule,
            reason,
            holdUntil: hold,
          },
        });
        if (reserved > 0) {
          await tx.budgetEntry.create({
            data: {
              id: newId("bl"),
              storeId,
              campaignId: campaign.id,
              commissionId: id,
              kind: "reserve",
              amount: reserved,
            },
          });
        }
      }
    }
    await tx.conversion.update({
      where: { id: conversionId },
      data: {
        status: plan.status,
        rejectRule: plan.rejection?.rule ?? null,
        rejectReason: plan.rejection?.reason ?? null,
        updatedAt: now,
      },
    });
    return "attributed";
  }, TX_OPTIONS);
}

/**
 * Reserves a commission against its campaign's cap with one conditional update, so concurrent
 * conversions can never take the campaign past its cap.
 */
async function reserveBudget(tx: Tx, campaign: Campaign, amount: number, currency: string) {
  if (campaign.budgetCap !== null && currency !== campaign.currency) {
    return {
      reserve: 0,
      overBudget: true,
      reason: `order currency ${currency} differs from the budget currency ${campaign.currency}`,
    };
  }
  const fresh = await tx.campaign.findUniqueOrThrow({
    where: { id: campaign.id },
    select: { budgetUsed: true, budgetCap: true },
  });
  const cap = fresh.budgetCap === null ? null : toSafeNumber(fresh.budgetCap);
  const decision = budgetReservation(cap, toSafeNumber(fresh.budgetUsed), amount);
  if (decision.overBudget || cap === null) {
    if (!decision.overBudget && amount > 0) {
      await tx.campaign.update({ where: { id: campaign.id }, data: { budgetUsed: { increment: amount } } });
    }
    return { ...decision, reason: decision.overBudget ? "campaign budget cap reached" : null };
  }
  const { count } = await tx.campaign.updateMany({
    where: { id: campaign.id, budgetUsed: { lte: cap - amount } },
    data: { budgetUsed: { increment: amount } },
  });
  return count === 1
    ? { reserve: amount, overBudget: false, reason: null }
    : { reserve: 0, overBudget: true, reason: "campaign budget cap reached" };
}

/**
 * Brings every commission of a conversion in line with the order as it is now (or, for sign-ups, a
 * conversion that is simply confirmed), moving budget and recording clawbacks for paid commissions.
 */
export async function reconcileConversion(
  db: Db,
  storeId: string,
  conversionId: string,
  snapshot: OrderSnapshot,
  now: Date,
): Promise<number> {
  return db.$transaction(async (tx) => {
    // Touching the conversion row first makes concurrent reconciliations of one order take turns.
    const locked = await tx.conversion.updateMany({ where: { id: conversionId, storeId }, data: { updatedAt: now } });
    if (locked.count === 0) return 0;
    const commissions = await tx.commission.findMany({ where: { storeId, conversionId } });
    let changed = 0;
    for (const row of commissions) {
      const adjustments = await tx.commissionAdjustment.aggregate({
        where: { commissionId: row.id },
        _sum: { amount: true },
      });
      const existing: CommissionState = {
        status: row.status as CommissionStatus,
        amount: toSafeNumber(row.amount),
        original: toSafeNumber(row.original),
        paidAmount: toSafeNumber(row.paidAmount),
        adjustments: toSafeNumber(adjustments._sum.amount ?? 0n),
        holdUntil: row.holdUntil,
      };
      const result = reconcileCommission({ existing, order: snapshot, now });
      if (!result.changed) continue;
      changed++;
      const after = applyReconciliation(existing, result);
      const entries = ledgerEntriesForChange(existing, after);
      let reserved = toSafeNumber(row.reserved);
      for (const e of entries) {
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
          reversedAt:
            result.status === "reversed" && row.status !== "reversed"
              ? now
              : result.status === "reversed"
                ? row.reversedAt
                : null,
        },
      });
    }
    return changed;
  }, TX_OPTIONS);
}

export interface CommissionView {
  id: string;
  campaignId: string;
  creatorId: string;
  status: CommissionStatus;
  amount: number;
  currency: string;
  rule: string | null;
  reason: string | null;
}

export async function conversionView(db: Db, storeId: string, conversionId: string) {
  const conversion = await db.conversion.findFirstOrThrow({ where: { id: conversionId, storeId } });
  const commissions = await db.commission.findMany({ where: { storeId, conversionId }, orderBy: { creatorId: "asc" } });
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
        currency: c.currency,
        rule: c.rule,
        reason: c.reason,
      }),
    ),
  };
}
