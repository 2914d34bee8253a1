import { type Db, joinSql, sql } from "../db/client.ts";
import { empty, num, type Sql } from "../db/sql.ts";
import { csvText } from "../shared/csv.ts";
import { parseJson, toSafeNumber } from "../shared/db-errors.ts";
import { creatorsOfEmail, ownedBy, type PortalCreator } from "./portal-data.ts";

// The conversions credited to a creator: one row per commission of theirs (a conversion pays a creator at most
// once), with the conversion's date and value, the order reference masked, their own share of the credit and
// the commission. Never the customer, never another creator's share.

export const CONVERSION_FILTERS = [
  "pending",
  "approved",
  "paid",
  "reduced",
  "reversed",
  "rejected",
  "over_budget",
] as const;
export type ConversionFilter = (typeof CONVERSION_FILTERS)[number];
export const PAGE_SIZE = 25;

/** "#1001" -> "•••01": enough for a creator to tell orders apart, not enough to look one up. */
export function maskReference(ref: string | null): string {
  if (!ref) return "—";
  const tail = ref.slice(-2);
  return `${"•".repeat(Math.min(Math.max(ref.length - 2, 2), 4))}${tail}`;
}

export interface PortalConversionRow {
  commissionId: string;
  storeName: string;
  campaignName: string;
  kind: string;
  occurredAt: Date;
  orderRef: string;
  value: number;
  currency: string;
  /** Parts per million of the credit that are the creator's. */
  sharePpm: number;
  status: string;
  amount: number;
  original: number;
}

/** Rows of these creators only: each (store, creator) pair, never one alone. */
function ownedSql(creators: readonly PortalCreator[]): Sql {
  return sql`(${joinSql(
    creators.map((c) => sql`(cm."storeId" = ${c.storeId} AND cm."creatorId" = ${c.creatorId})`),
    " OR ",
  )})`;
}

function filterSql(filter: ConversionFilter | null): Sql {
  if (filter === null) return empty;
  if (filter === "reduced") return sql` AND cm.status IN ('pending', 'approved', 'paid') AND cm.amount < cm.original`;
  if (filter === "pending" || filter === "approved" || filter === "paid")
    return sql` AND cm.status = ${filter} AND cm.amount >= cm.original`;
  return sql` AND cm.status = ${filter}`;
}

type RowOut = {
  id: string;
  storeId: string;
  status: string;
  amount: unknown;
  original: unknown;
  currency: string;
  kind: string;
  occurredAt: unknown;
  value: unknown;
  conversionCurrency: string;
  number: string | null;
  externalId: string | null;
  campaignName: string | null;
  share: unknown;
};

/**
 * The creator's commissions with what the list shows, in one statement: the conversion, its order's reference,
 * the campaign's name and the creator's own share of the credit (never anyone else's).
 */
async function commissionRows(
  db: Db,
  creators: readonly PortalCreator[],
  where: Sql,
  page: { limit: number; offset: number } | null,
): Promise<PortalConversionRow[]> {
  const rows = await db.$queryRaw<RowOut[]>(sql`
    SELECT cm.id, cm."storeId", cm.status, cm.amount, cm.original, cm.currency,
      c.kind, c."occurredAt", c.value, c.currency AS "conversionCurrency", o.number, o."externalId",
      ca.name AS "campaignName",
      (SELECT SUM(a."weightPpm") FROM "Attribution" a
        WHERE a."conversionId" = cm."conversionId" AND a."storeId" = cm."storeId" AND a."creatorId" = cm."creatorId") AS share
    FROM ${
      // A page is chosen from the commissions alone (their index is in that order), and only its rows are joined.
      page
        ? sql`(SELECT cm.id FROM "Commission" cm WHERE ${ownedSql(creators)}${where}
            ORDER BY cm."createdAt" DESC, cm.id DESC LIMIT ${page.limit} OFFSET ${page.offset}) p
          JOIN "Commission" cm ON cm.id = p.id`
        : sql`"Commission" cm`
    }
    JOIN "Conversion" c ON c.id = cm."conversionId" AND c."storeId" = cm."storeId"
    LEFT JOIN "Order" o ON o.id = c."orderId" AND o."storeId" = cm."storeId"
    LEFT JOIN "Campaign" ca ON ca.id = cm."campaignId" AND ca."storeId" = cm."storeId"
    WHERE ${ownedSql(creators)}${where}
    ORDER BY cm."createdAt" DESC, cm.id DESC`);
  const storeName = new Map(creators.map((c) => [c.storeId, c.storeName]));
  return rows.map((r) => ({
    commissionId: r.id,
    storeName: storeName.get(r.storeId) ?? "",
    campaignName: r.campaignName ?? "",
    kind: r.kind,
    occurredAt: toDate(r.occurredAt),
    orderRef: maskReference(r.number ?? r.externalId),
    value: num(r.value),
    currency: r.conversionCurrency,
    sharePpm: num(r.share),
    status: r.status,
    amount: num(r.amount),
    original: num(r.original),
  }));
}

/** Raw queries return instants as Date on PostgreSQL and as Unix milliseconds on SQLite. */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "number" || typeof value === "bigint") return new Date(Number(value));
  return new Date(String(value));
}

export async function portalConversions(
  db: Db,
  emailHash: string,
  options: { filter: ConversionFilter | null; page: number },
): Promise<{ rows: PortalConversionRow[]; total: number; page: number; pages: number }> {
  const creators = await creatorsOfEmail(db, emailHash);
  if (creators.length === 0) return { rows: [], total: 0, page: 1, pages: 1 };
  const filter = filterSql(options.filter);
  const counted = await db.$queryRaw<{ n: unknown }[]>(
    sql`SELECT COUNT(*) AS n FROM "Commission" cm WHERE ${ownedSql(creators)}${filter}`,
  );
  const total = num(counted[0]?.n);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(Math.max(1, options.page), pages);
  const rows = await commissionRows(db, creators, filter, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  return { rows, total, page, pages };
}

export interface PortalConversionDetail extends PortalConversionRow {
  model: string | null;
  touches: { kind: "click" | "discount_code"; at: Date; code: string | null }[];
  rule: string | null;
  reason: string | null;
  reversedAt: Date | null;
  updatedAt: Date;
  order: { status: string; total: number; refunded: number; currency: string; changedAt: Date } | null;
  campaign: { lookbackDays: number; minOrderValue: number; currency: string } | null;
  /** Clawbacks recorded against this commission after it was paid (negative), in its currency. */
  adjustments: number;
  /** The campaign tier the creator had reached when it was computed (0: none), and the bonus it pays, if one. */
  tier: number;
  goal: string;
}

/** One of the creator's commissions with its own touches; null when it is not theirs (or does not exist). */
export async function portalConversion(
  db: Db,
  emailHash: string,
  commissionId: string,
): Promise<PortalConversionDetail | null> {
  const creators = await creatorsOfEmail(db, emailHash);
  if (creators.length === 0) return null;
  const row = await db.commission.findFirst({
    where: { id: commissionId, ...ownedBy(creators) },
    select: {
      id: true,
      storeId: true,
      creatorId: true,
      conversionId: true,
      campaignId: true,
      rule: true,
      reason: true,
      reversedAt: true,
      updatedAt: true,
      tier: true,
      goal: true,
    },
  });
  if (!row) return null;
  const { storeId, creatorId } = row;
  const [[base], conversion, campaign, attributions, adjustments, codes] = await Promise.all([
    commissionRows(db, creators, sql` AND cm.id = ${row.id}`, null),
    db.conversion.findFirst({ where: { id: row.conversionId, storeId }, select: { orderId: true } }),
    db.campaign.findFirst({
      where: { id: row.campaignId, storeId },
      select: { lookbackDays: true, minOrderValue: true, currency: true },
    }),
    db.attribution.findMany({
      where: { conversionId: row.conversionId, storeId, creatorId },
      select: { touchKind: true, touchAt: true, clickId: true, model: true },
      orderBy: { position: "asc" },
    }),
    db.commissionAdjustment.aggregate({ where: { storeId, commissionId: row.id }, _sum: { amount: true } }),
    db.discountCode.findMany({ where: { storeId, campaignId: row.campaignId, creatorId }, select: { code: true } }),
  ]);
  const orderRow = conversion?.orderId
    ? await db.order.findFirst({
        where: { id: conversion.orderId, storeId },
        select: {
          status: true,
          total: true,
          refunded: true,
          currency: true,
          sourceUpdatedAt: true,
          discountCodes: true,
        },
      })
    : null;
  const clickIds = attributions.flatMap((a) => (a.clickId ? [a.clickId] : []));
  const clicks = clickIds.length
    ? await db.click.findMany({
        where: { storeId, creatorId, id: { in: clickIds } },
        select: { id: true, linkId: true },
      })
    : [];
  const links = clicks.length
    ? await db.trackingLink.findMany({
        where: { storeId, creatorId, id: { in: clicks.map((c) => c.linkId) } },
        select: { id: true, code: true },
      })
    : [];
  const linkOfClick = new Map(clicks.map((c) => [c.id, links.find((l) => l.id === c.linkId)?.code ?? null]));
  const used = new Set(parseJson<string[]>(orderRow?.discountCodes ?? "[]", []).map((c) => c.toUpperCase()));
  const ownCode = codes.map((c) => c.code).find((c) => used.has(c.toUpperCase())) ?? null;
  return {
    ...base!,
    model: attributions[0]?.model ?? null,
    touches: attributions.map((a) => ({
      kind: a.touchKind === "discount_code" ? "discount_code" : "click",
      at: a.touchAt,
      code: a.touchKind === "discount_code" ? ownCode : a.clickId ? (linkOfClick.get(a.clickId) ?? null) : null,
    })),
    rule: row.rule,
    reason: row.reason,
    tier: row.tier,
    goal: row.goal,
    reversedAt: row.reversedAt,
    updatedAt: row.updatedAt,
    order: orderRow
      ? {
          status: orderRow.status,
          total: toSafeNumber(orderRow.total),
          refunded: toSafeNumber(orderRow.refunded),
          currency: orderRow.currency,
          changedAt: orderRow.sourceUpdatedAt,
        }
      : null,
    campaign: campaign
      ? {
          lookbackDays: campaign.lookbackDays,
          minOrderValue: toSafeNumber(campaign.minOrderValue),
          currency: campaign.currency,
        }
      : null,
    adjustments: toSafeNumber(adjustments._sum.amount ?? 0n),
  };
}

/** Every commission of the creator, for the earnings CSV, newest first. */
export async function portalEarnings(db: Db, emailHash: string): Promise<PortalConversionRow[]> {
  const creators = await creatorsOfEmail(db, emailHash);
  if (creators.length === 0) return [];
  return commissionRows(db, creators, empty, null);
}

export function earningsCsv(
  rows: readonly PortalConversionRow[],
  formatAmount: (minor: number, currency: string) => string,
) {
  const header = [
    "date",
    "store",
    "campaign",
    "kind",
    "order",
    "order_value",
    "share_percent",
    "status",
    "commission",
    "before_refunds",
    "currency",
  ];
  return csvText(
    header,
    rows.map((r) => [
      r.occurredAt.toISOString().slice(0, 10),
      r.storeName,
      r.campaignName,
      r.kind,
      r.orderRef,
      formatAmount(r.value, r.currency),
      (r.sharePpm / 10_000).toFixed(2),
      r.status,
      formatAmount(r.amount, r.currency),
      formatAmount(r.original, r.currency),
      r.currency,
    ]),
  );
}
