import { inChunks } from "../admin/sql.ts";
import type { Db } from "../db/client.ts";
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

type CommissionRow = {
  id: string;
  storeId: string;
  conversionId: string;
  campaignId: string;
  creatorId: string;
  status: string;
  amount: bigint;
  original: bigint;
  currency: string;
};

function whereFilter(db: Db, filter: ConversionFilter | null) {
  if (filter === null) return {};
  if (filter === "reduced")
    return {
      status: { in: ["pending", "approved", "paid"] },
      amount: { lt: db.commission.fields.original },
    };
  if (filter === "pending" || filter === "approved" || filter === "paid")
    return { status: filter, amount: { gte: db.commission.fields.original } };
  return { status: filter };
}

/** Conversions, commissions, orders and campaigns of some commission rows, each read once by id. */
async function describe(db: Db, creators: readonly PortalCreator[], rows: readonly CommissionRow[]) {
  const storeIds = [...new Set(rows.map((r) => r.storeId))];
  const conversions = await inChunks([...new Set(rows.map((r) => r.conversionId))], (ids) =>
    db.conversion.findMany({
      where: { storeId: { in: storeIds }, id: { in: ids } },
      select: { id: true, kind: true, orderId: true, value: true, currency: true, occurredAt: true },
    }),
  );
  const orderIds = [...new Set(conversions.flatMap((c) => (c.orderId ? [c.orderId] : [])))];
  const [orders, campaigns, attributions] = await Promise.all([
    inChunks(orderIds, (ids) =>
      db.order.findMany({
        where: { storeId: { in: storeIds }, id: { in: ids } },
        select: { id: true, number: true, externalId: true },
      }),
    ),
    db.campaign.findMany({
      where: { storeId: { in: storeIds }, id: { in: [...new Set(rows.map((r) => r.campaignId))] } },
      select: { id: true, name: true },
    }),
    inChunks([...new Set(rows.map((r) => r.conversionId))], (ids) =>
      db.attribution.findMany({
        where: { conversionId: { in: ids }, ...ownedBy(creators) },
        select: { conversionId: true, creatorId: true, weightPpm: true },
      }),
    ),
  ]);
  const conversion = new Map(conversions.map((c) => [c.id, c]));
  const order = new Map(orders.map((o) => [o.id, o]));
  const campaign = new Map(campaigns.map((c) => [c.id, c.name]));
  const storeName = new Map(creators.map((c) => [c.storeId, c.storeName]));
  return rows.map((r): PortalConversionRow => {
    const c = conversion.get(r.conversionId);
    const o = c?.orderId ? order.get(c.orderId) : undefined;
    return {
      commissionId: r.id,
      storeName: storeName.get(r.storeId) ?? "",
      campaignName: campaign.get(r.campaignId) ?? "",
      kind: c?.kind ?? "custom",
      occurredAt: c?.occurredAt ?? new Date(0),
      orderRef: maskReference(o ? (o.number ?? o.externalId) : null),
      value: c ? toSafeNumber(c.value) : 0,
      currency: c?.currency ?? r.currency,
      sharePpm: attributions
        .filter((a) => a.conversionId === r.conversionId && a.creatorId === r.creatorId)
        .reduce((s, a) => s + a.weightPpm, 0),
      status: r.status,
      amount: toSafeNumber(r.amount),
      original: toSafeNumber(r.original),
    };
  });
}

const COMMISSION_SELECT = {
  id: true,
  storeId: true,
  conversionId: true,
  campaignId: true,
  creatorId: true,
  status: true,
  amount: true,
  original: true,
  currency: true,
} as const;

export async function portalConversions(
  db: Db,
  emailHash: string,
  options: { filter: ConversionFilter | null; page: number },
): Promise<{ rows: PortalConversionRow[]; total: number; page: number; pages: number }> {
  const creators = await creatorsOfEmail(db, emailHash);
  if (creators.length === 0) return { rows: [], total: 0, page: 1, pages: 1 };
  const where = { ...ownedBy(creators), ...whereFilter(db, options.filter) };
  const total = await db.commission.count({ where });
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(Math.max(1, options.page), pages);
  const rows = await db.commission.findMany({
    where,
    select: COMMISSION_SELECT,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip: (page - 1) * PAGE_SIZE,
    take: PAGE_SIZE,
  });
  return { rows: await describe(db, creators, rows), total, page, pages };
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
    select: { ...COMMISSION_SELECT, rule: true, reason: true, reversedAt: true, updatedAt: true },
  });
  if (!row) return null;
  const { storeId, creatorId } = row;
  const [[base], conversion, campaign, attributions, adjustments, codes] = await Promise.all([
    describe(db, creators, [row]),
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
  const rows = await db.commission.findMany({
    where: ownedBy(creators),
    select: COMMISSION_SELECT,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  return describe(db, creators, rows);
}

/** A CSV cell: quoted when needed, and a leading = + - @ neutralised so a spreadsheet never runs it. */
function cell(value: string | number): string {
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
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
  const lines = [header.join(",")];
  for (const r of rows) {
    lines.push(
      [
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
      ]
        .map(cell)
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}
