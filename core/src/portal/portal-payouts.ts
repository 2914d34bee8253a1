import { type Db, sql } from "../db/client.ts";
import { num } from "../db/sql.ts";
import { type PayoutView, toPayoutView } from "../payouts/index.ts";
import { maskReference, toDate } from "./portal-conversions.ts";
import { creatorsOfEmail, ownedBy } from "./portal-data.ts";

// A creator's payouts across every store, and what each one settled.

export interface PortalPayout extends PayoutView {
  storeName: string;
}

/** Payout history of every Creator row of the email, newest first. */
export async function portalPayouts(db: Db, emailHash: string): Promise<PortalPayout[]> {
  const creators = await creatorsOfEmail(db, emailHash);
  if (creators.length === 0) return [];
  const rows = await db.payout.findMany({
    where: ownedBy(creators),
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  });
  const storeName = new Map(creators.map((c) => [c.storeId, c.storeName]));
  return rows.map((r) => ({ ...toPayoutView(r), storeName: storeName.get(r.storeId) ?? "" }));
}

export interface PortalPayoutLine {
  kind: "commission" | "adjustment";
  amount: number;
  /** Commissions: the conversion's masked order reference, campaign and its detail page. */
  commissionId: string | null;
  orderRef: string;
  campaignName: string;
  occurredAt: Date | null;
  /** Adjustments: why. */
  reason: string | null;
}

/** One of the creator's payouts with its lines; null when it is not theirs. */
export async function portalPayout(
  db: Db,
  emailHash: string,
  payoutId: string,
): Promise<{ payout: PortalPayout; lines: PortalPayoutLine[] } | null> {
  const creators = await creatorsOfEmail(db, emailHash);
  if (creators.length === 0) return null;
  const row = await db.payout.findFirst({ where: { id: payoutId, ...ownedBy(creators) } });
  if (!row) return null;
  const { storeId, creatorId } = row;
  // One statement for every line, however many commissions the payout settled; every join names the store and
  // the creator, so a line can only ever describe this creator's own commission.
  const items = await db.$queryRaw<
    {
      kind: string;
      amount: unknown;
      commissionId: string | null;
      occurredAt: unknown;
      number: string | null;
      externalId: string | null;
      campaignName: string | null;
      reason: string | null;
    }[]
  >(sql`
    SELECT pi.kind, pi.amount, cm.id AS "commissionId", c."occurredAt", o.number, o."externalId",
      ca.name AS "campaignName", adj.reason
    FROM "PayoutItem" pi
    LEFT JOIN "Commission" cm ON cm.id = pi."commissionId" AND cm."storeId" = ${storeId} AND cm."creatorId" = ${creatorId}
    LEFT JOIN "Conversion" c ON c.id = cm."conversionId" AND c."storeId" = ${storeId}
    LEFT JOIN "Order" o ON o.id = c."orderId" AND o."storeId" = ${storeId}
    LEFT JOIN "Campaign" ca ON ca.id = cm."campaignId" AND ca."storeId" = ${storeId}
    LEFT JOIN "CommissionAdjustment" adj ON adj.id = pi."adjustmentId" AND adj."storeId" = ${storeId}
      AND adj."creatorId" = ${creatorId}
    WHERE pi."storeId" = ${storeId} AND pi."payoutId" = ${row.id}
    ORDER BY pi.id`);
  const storeName = creators.find((c) => c.storeId === storeId)?.storeName ?? "";
  return {
    payout: { ...toPayoutView(row), storeName },
    lines: items.map((i) => ({
      kind: i.kind === "adjustment" ? "adjustment" : "commission",
      amount: num(i.amount),
      commissionId: i.commissionId,
      orderRef: maskReference(i.number ?? i.externalId),
      campaignName: i.campaignName ?? "",
      occurredAt: i.occurredAt === null || i.occurredAt === undefined ? null : toDate(i.occurredAt),
      reason: i.reason,
    })),
  };
}
