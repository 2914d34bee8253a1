import { z } from "zod";
import { CONVERSION_KINDS } from "../conversions/plan-attribution.ts";
import type { ResolvedTouch } from "../conversions/touches.ts";
import { type Db, sql } from "../db/client.ts";
import { andIf, empty, num } from "../db/sql.ts";
import { conversionCount, netRevenue, type Outcome, reversedAmount } from "../metrics/definitions.ts";
import { type CsvValue, csvLine } from "../shared/csv.ts";
import { parseJson, toSafeNumber } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";
import { formatMinorUnits } from "../shared/money.ts";
import { conversionInputs, touchesFor } from "./conversion-inputs.ts";

// The Conversions page: every order and sign-up with who got credit and commission for it, filterable,
// searchable by order number, paged, exportable as CSV; and one conversion's journey.

export const CONVERSION_STATUSES = ["attributed", "unattributed", "rejected", "new"] as const;

export const ConversionFilterSchema = z.object({
  kind: z.enum(CONVERSION_KINDS).optional().catch(undefined),
  status: z.enum(CONVERSION_STATUSES).optional().catch(undefined),
  campaignId: z.string().min(1).max(100).optional().catch(undefined),
  creatorId: z.string().min(1).max(100).optional().catch(undefined),
  /** An order number ("1001" finds "#1001") or the platform's order id. */
  q: z.string().trim().min(1).max(200).optional().catch(undefined),
  from: z.date().optional(),
  to: z.date().optional(),
});
export type ConversionFilter = z.infer<typeof ConversionFilterSchema>;

/** The filter from a page's search parameters; unknown values are ignored rather than refused. */
export function conversionFilterFrom(params: URLSearchParams, range?: { from: Date; to: Date }): ConversionFilter {
  const get = (k: string) => params.get(k) || undefined;
  return ConversionFilterSchema.parse({
    kind: get("kind"),
    status: get("status"),
    campaignId: get("campaignId"),
    creatorId: get("creatorId"),
    q: get("q"),
    from: range?.from,
    to: range?.to,
  });
}

export interface ConversionCreatorShare {
  creatorId: string;
  name: string;
  campaignId: string;
  /** Share of the credit in parts per million. */
  weightPpm: number;
  credit: number;
  /** The credit net of refunds, 0 for a cancelled order (metrics/definitions.ts netRevenue). */
  revenue: number;
  commission: {
    status: string;
    amount: number;
    /** What the commission was before refunds, or would have been when rejected. */
    original: number;
    /** Original minus current: what refunds and cancels undid (metrics/definitions.ts reversedAmount). */
    reversed: number;
    currency: string;
    rule: string | null;
    reason: string | null;
    /** The campaign tier the creator had reached when it was computed (0: none), so the page can say why. */
    tier: number;
  } | null;
}

export interface ConversionListItem {
  id: string;
  kind: string;
  status: string;
  occurredAt: Date;
  value: number;
  currency: string;
  orderNumber: string | null;
  orderExternalId: string | null;
  orderStatus: string | null;
  refunded: number;
  /** How the conversion counts in every figure: purchase, refunded, cancelled, sign_up, or null (not at all). */
  counted: Outcome | "sign_up" | null;
  campaignId: string | null;
  campaignName: string | null;
  rejectRule: string | null;
  rejectReason: string | null;
  creators: ConversionCreatorShare[];
}

export interface ConversionPage {
  items: ConversionListItem[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
}

function whereOf(storeId: string, f: ConversionFilter) {
  const q = f.q?.replace(/^#/, "");
  const scoped = f.campaignId || f.creatorId;
  return sql`c."storeId" = ${storeId}
    ${andIf(f.kind, sql`c.kind = ${f.kind ?? ""}`)}
    ${andIf(f.status, sql`c.status = ${f.status ?? ""}`)}
    ${andIf(f.from, sql`c."occurredAt" >= ${f.from ?? new Date(0)}`)}
    ${andIf(f.to, sql`c."occurredAt" < ${f.to ?? new Date(0)}`)}
    ${andIf(
      scoped,
      sql`EXISTS (SELECT 1 FROM "Attribution" a WHERE a."conversionId" = c.id AND a."storeId" = ${storeId}
        ${andIf(f.campaignId, sql`a."campaignId" = ${f.campaignId ?? ""}`)}
        ${andIf(f.creatorId, sql`a."creatorId" = ${f.creatorId ?? ""}`)})`,
    )}
    ${
      q
        ? sql` AND c."orderId" IN (SELECT o.id FROM "Order" o WHERE o."storeId" = ${storeId}
            AND (o.number = ${q} OR o.number = ${`#${q}`} OR o."externalId" = ${q}))`
        : empty
    }`;
}

export const PAGE_SIZE = 25;

export async function listConversions(
  db: Db,
  storeId: string,
  filter: ConversionFilter,
  options: { page?: number; pageSize?: number } = {},
): Promise<ConversionPage> {
  const pageSize = Math.min(Math.max(options.pageSize ?? PAGE_SIZE, 1), 500);
  const where = whereOf(storeId, filter);
  const counted = await db.$queryRaw<{ n: unknown }[]>(sql`SELECT COUNT(*) AS n FROM "Conversion" c WHERE ${where}`);
  const total = num(counted[0]?.n);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(Math.floor(options.page ?? 1), 1), pages);
  const ids = await db.$queryRaw<{ id: string }[]>(
    sql`SELECT c.id FROM "Conversion" c WHERE ${where}
        ORDER BY c."occurredAt" DESC, c.id DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
  );
  const items = await describeConversions(
    db,
    storeId,
    ids.map((r) => r.id),
  );
  return { items, total, page, pageSize, pages };
}

/** The list rows of the given conversions, in the given order. */
export async function describeConversions(
  db: Db,
  storeId: string,
  conversionIds: readonly string[],
): Promise<ConversionListItem[]> {
  if (conversionIds.length === 0) return [];
  const ids = [...conversionIds];
  const [conversions, attributions, commissions] = await Promise.all([
    db.conversion.findMany({ where: { storeId, id: { in: ids } } }),
    db.attribution.findMany({ where: { storeId, conversionId: { in: ids } }, orderBy: { position: "asc" } }),
    db.commission.findMany({ where: { storeId, conversionId: { in: ids } } }),
  ]);
  const orderIds = conversions.flatMap((c) => (c.orderId ? [c.orderId] : []));
  const creatorIds = [...new Set([...attributions, ...commissions].map((a) => a.creatorId))];
  const campaignIds = [...new Set([...attributions, ...commissions].map((a) => a.campaignId))];
  const [orders, creators, campaigns] = await Promise.all([
    orderIds.length
      ? db.order.findMany({
          where: { storeId, id: { in: orderIds } },
          select: { id: true, number: true, externalId: true, status: true, total: true, refunded: true },
        })
      : [],
    creatorIds.length
      ? db.creator.findMany({ where: { storeId, id: { in: creatorIds } }, select: { id: true, name: true } })
      : [],
    campaignIds.length
      ? db.campaign.findMany({ where: { storeId, id: { in: campaignIds } }, select: { id: true, name: true } })
      : [],
  ]);
  const orderById = new Map(orders.map((o) => [o.id, o]));
  const creatorName = new Map(creators.map((c) => [c.id, c.name]));
  const campaignName = new Map(campaigns.map((c) => [c.id, c.name]));
  const byId = new Map(conversions.map((c) => [c.id, c]));
  return ids.flatMap((id) => {
    const c = byId.get(id);
    if (!c) return [];
    const order = c.orderId ? orderById.get(c.orderId) : undefined;
    const figures = order
      ? { status: order.status, total: toSafeNumber(order.total), refunded: toSafeNumber(order.refunded) }
      : null;
    const counted = conversionCount(c, figures);
    const revenueOf = (credit: number) => (counted === null || c.kind !== "purchase" ? 0 : netRevenue(credit, figures));
    const shares = new Map<string, ConversionCreatorShare>();
    for (const a of attributions) {
      if (a.conversionId !== id) continue;
      const key = `${a.campaignId}:${a.creatorId}`;
      const share = shares.get(key);
      if (share) {
        share.weightPpm += a.weightPpm;
        share.credit += toSafeNumber(a.credit);
        share.revenue += revenueOf(toSafeNumber(a.credit));
      } else
        shares.set(key, {
          creatorId: a.creatorId,
          name: creatorName.get(a.creatorId) ?? a.creatorId,
          campaignId: a.campaignId,
          weightPpm: a.weightPpm,
          credit: toSafeNumber(a.credit),
          revenue: revenueOf(toSafeNumber(a.credit)),
          commission: null,
        });
    }
    for (const m of commissions) {
      if (m.conversionId !== id) continue;
      const key = `${m.campaignId}:${m.creatorId}`;
      let share = shares.get(key);
      if (!share) {
        share = {
          creatorId: m.creatorId,
          name: creatorName.get(m.creatorId) ?? m.creatorId,
          campaignId: m.campaignId,
          weightPpm: 0,
          credit: 0,
          revenue: 0,
          commission: null,
        };
        shares.set(key, share);
      }
      share.commission = {
        status: m.status,
        amount: toSafeNumber(m.amount),
        original: toSafeNumber(m.original),
        reversed: reversedAmount({
          status: m.status,
          amount: toSafeNumber(m.amount),
          original: toSafeNumber(m.original),
        }),
        currency: m.currency,
        rule: m.rule,
        reason: m.reason,
        tier: m.tier,
      };
    }
    const list = [...shares.values()].sort((a, b) => b.weightPpm - a.weightPpm || a.name.localeCompare(b.name));
    const campaignId = list[0]?.campaignId ?? null;
    return [
      {
        id: c.id,
        kind: c.kind,
        status: c.status,
        occurredAt: c.occurredAt,
        value: toSafeNumber(c.value),
        currency: c.currency,
        orderNumber: order?.number ?? null,
        orderExternalId: order?.externalId ?? null,
        orderStatus: order?.status ?? null,
        refunded: order ? toSafeNumber(order.refunded) : 0,
        counted,
        campaignId,
        campaignName: campaignId ? (campaignName.get(campaignId) ?? null) : null,
        rejectRule: c.rejectRule,
        rejectReason: c.rejectReason,
        creators: list,
      },
    ];
  });
}

// ---- Journey ----

export type JourneyStepType =
  | "click"
  | "discount_code"
  | "page_view"
  | "sign_up"
  | "lead"
  | "purchase"
  | "custom"
  | "conversion";

export interface JourneyStep {
  at: Date;
  type: JourneyStepType;
  /** A click id, an event id, or the conversion id. */
  id: string;
  creatorId: string | null;
  creatorName: string | null;
  campaignId: string | null;
  campaignName: string | null;
  /** Click quality (qualified | repeat | bot); null for other steps. */
  qualification: string | null;
  /** The share of credit this touch got, or null when it got none. */
  credit: { weightPpm: number; amount: number } | null;
  url: string | null;
  referrer: string | null;
  detail: string | null;
}

export interface ConversionJourney {
  conversion: ConversionListItem;
  steps: JourneyStep[];
  /** The attribution model and lookback of the campaign that took the conversion. */
  model: string | null;
  lookbackDays: number | null;
}

const MAX_PAGE_VIEWS = 100;

/** One conversion with every touch on a timeline (clicks, codes, visits, the conversion) and who got what. */
export async function conversionJourney(db: Db, storeId: string, conversionId: string): Promise<ConversionJourney> {
  const row = await db.conversion.findFirst({ where: { id: conversionId, storeId } });
  if (!row) throw new AppError("not_found", `conversion ${conversionId} not found`);
  const [conversion] = await describeConversions(db, storeId, [conversionId]);
  const [input] = await conversionInputs(db, storeId, [row]);
  const [touches] = await touchesFor(db, storeId, [input!]);
  const attributions = await db.attribution.findMany({ where: { storeId, conversionId } });
  const clickIds = touches!.filter((t) => t.kind === "click").map((t) => t.id);
  const clicks = clickIds.length
    ? await db.click.findMany({
        where: { storeId, id: { in: clickIds } },
        select: { id: true, referrerHost: true, country: true, linkId: true },
      })
    : [];
  const clickById = new Map(clicks.map((c) => [c.id, c]));
  const creatorIds = [...new Set(touches!.map((t) => t.creatorId))];
  const campaignIds = [...new Set(touches!.map((t) => t.campaignId))];
  const [creators, campaigns] = await Promise.all([
    creatorIds.length
      ? db.creator.findMany({ where: { storeId, id: { in: creatorIds } }, select: { id: true, name: true } })
      : [],
    campaignIds.length ? db.campaign.findMany({ where: { storeId, id: { in: campaignIds } } }) : [],
  ]);
  const creatorName = new Map(creators.map((c) => [c.id, c.name]));
  const campaignById = new Map(campaigns.map((c) => [c.id, c]));
  const creditOf = (touch: ResolvedTouch) => {
    const found = attributions.filter((a) =>
      touch.kind === "click"
        ? a.clickId === touch.id
        : a.touchKind === "discount_code" && a.creatorId === touch.creatorId,
    );
    if (found.length === 0) return null;
    return {
      weightPpm: found.reduce((s, a) => s + a.weightPpm, 0),
      amount: found.reduce((s, a) => s + toSafeNumber(a.credit), 0),
    };
  };

  const steps: JourneyStep[] = touches!.map((t) => {
    const click = t.kind === "click" ? clickById.get(t.id) : undefined;
    return {
      at: new Date(t.at),
      type: t.kind,
      id: t.id,
      creatorId: t.creatorId,
      creatorName: creatorName.get(t.creatorId) ?? t.creatorId,
      campaignId: t.campaignId,
      campaignName: campaignById.get(t.campaignId)?.name ?? t.campaignId,
      qualification: t.qualification,
      credit: creditOf(t),
      url: null,
      referrer: click?.referrerHost ?? null,
      detail: t.kind === "discount_code" ? t.id.slice("code:".length) : (click?.country ?? null),
    };
  });

  // Visits: the events of the browsers linked to the conversion, from a day before its first touch on.
  const first = Math.min(row.occurredAt.getTime(), ...touches!.map((t) => t.at));
  const visitorIds = input!.visitorIds;
  const events = visitorIds.length
    ? await db.event.findMany({
        where: {
          storeId,
          visitorId: { in: visitorIds },
          occurredAt: { gte: new Date(first - 86_400_000), lte: new Date(row.occurredAt.getTime() + 3_600_000) },
        },
        orderBy: { occurredAt: "asc" },
        take: MAX_PAGE_VIEWS,
        select: {
          id: true,
          type: true,
          url: true,
          referrer: true,
          occurredAt: true,
          name: true,
          clickIds: true,
          orderRef: true,
          checkoutToken: true,
        },
      })
    : [];
  const { orderRef, checkoutToken } = input!.query;
  for (const e of events) {
    // The conversion's own event (a sign-up, or the browser's or API's report of this very order) is the last step.
    if (e.id === row.eventId) continue;
    if (
      e.type === "purchase" &&
      ((orderRef && e.orderRef === orderRef) || (checkoutToken && e.checkoutToken === checkoutToken))
    )
      continue;
    steps.push({
      at: e.occurredAt,
      type: (["page_view", "sign_up", "lead", "purchase", "custom"] as const).find((t) => t === e.type) ?? "custom",
      id: e.id,
      creatorId: null,
      creatorName: null,
      campaignId: null,
      campaignName: null,
      qualification: null,
      credit: null,
      url: e.url,
      referrer: e.referrer,
      detail: e.name ?? (parseJson<string[]>(e.clickIds, []).length > 0 ? "carried a tracking click" : null),
    });
  }
  steps.push({
    at: row.occurredAt,
    type: "conversion",
    id: row.id,
    creatorId: null,
    creatorName: null,
    campaignId: conversion!.campaignId,
    campaignName: conversion!.campaignName,
    qualification: null,
    credit: null,
    url: null,
    referrer: null,
    detail: conversion!.orderNumber ?? conversion!.kind,
  });
  const order: Record<string, number> = { click: 0, discount_code: 1, page_view: 2, conversion: 9 };
  steps.sort((a, b) => a.at.getTime() - b.at.getTime() || (order[a.type] ?? 5) - (order[b.type] ?? 5));
  const campaign = conversion!.campaignId ? campaignById.get(conversion!.campaignId) : undefined;
  return {
    conversion: conversion!,
    steps,
    model: campaign?.attributionModel ?? null,
    lookbackDays: campaign?.lookbackDays ?? null,
  };
}

// ---- CSV ----

export const CSV_COLUMNS = [
  "conversion_id",
  "occurred_at",
  "kind",
  "status",
  "order_number",
  "order_id",
  "order_status",
  "value",
  "refunded",
  "currency",
  "campaign",
  "creator",
  "credit_share",
  "credit",
  "commission_status",
  "commission",
  "commission_before_refunds",
  "rejected_rule",
  "reason",
  "counted_as",
  "revenue",
  "commission_reversed",
] as const;

/** CSV rows (header first): one per creator of each conversion, or one for a conversion nobody earned. */
export function conversionsCsvLines(items: readonly ConversionListItem[], header = true): string[] {
  const lines: string[] = header ? [csvLine(CSV_COLUMNS)] : [];
  for (const c of items) {
    const money = (m: number) => formatMinorUnits(m, c.currency);
    const base = [
      c.id,
      c.occurredAt.toISOString(),
      c.kind,
      c.status,
      c.orderNumber,
      c.orderExternalId,
      c.orderStatus,
      money(c.value),
      money(c.refunded),
      c.currency,
      c.campaignName,
    ];
    const shares = c.creators.length > 0 ? c.creators : [null];
    for (const s of shares) {
      const fields: CsvValue[] = [
        ...base,
        s?.name ?? null,
        s ? (s.weightPpm / 10_000).toFixed(2) : null,
        s ? money(s.credit) : null,
        s?.commission?.status ?? null,
        s?.commission ? money(s.commission.amount) : null,
        s?.commission ? money(s.commission.original) : null,
        s?.commission?.rule ?? (c.status === "rejected" ? c.rejectRule : null),
        s?.commission?.reason ?? (c.status === "rejected" ? c.rejectReason : null),
        c.counted,
        s ? money(s.revenue) : null,
        s?.commission ? money(s.commission.reversed) : null,
      ];
      lines.push(csvLine(fields));
    }
  }
  return lines;
}

export const MAX_EXPORT_ROWS = 100_000;

/** Every conversion the filter matches as CSV text, newest first, fetched page by page. */
export async function* exportConversionsCsv(db: Db, storeId: string, filter: ConversionFilter): AsyncGenerator<string> {
  const where = whereOf(storeId, filter);
  yield `${csvLine(CSV_COLUMNS)}\r\n`;
  let cursor: { at: Date; id: string } | null = null;
  let done = 0;
  while (done < MAX_EXPORT_ROWS) {
    const after: ReturnType<typeof sql> | typeof empty = cursor
      ? sql` AND (c."occurredAt" < ${cursor.at} OR (c."occurredAt" = ${cursor.at} AND c.id < ${cursor.id}))`
      : empty;
    const ids = await db.$queryRaw<{ id: string; occurredAt: unknown }[]>(
      sql`SELECT c.id, c."occurredAt" FROM "Conversion" c WHERE ${where}${after}
          ORDER BY c."occurredAt" DESC, c.id DESC LIMIT 500`,
    );
    if (ids.length === 0) return;
    const items = await describeConversions(
      db,
      storeId,
      ids.map((r) => r.id),
    );
    const lines = conversionsCsvLines(items, false);
    yield lines.map((l) => `${l}\r\n`).join("");
    done += ids.length;
    const last = items.at(-1)!;
    cursor = { at: last.occurredAt, id: last.id };
    if (ids.length < 500) return;
  }
}
