import type { Db } from "../db/client.ts";
import { type PayoutView, payoutItems, toPayoutView } from "../payouts/payout-store.ts";
import { maskReference } from "./portal-conversions.ts";
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
  const { storeId } = row;
  const items = await payoutItems(db, storeId, row.id);
  const commissionIds = items.flatMap((i) => (i.commissionId ? [i.commissionId] : []));
  const adjustmentIds = items.flatMap((i) => (i.adjustmentId ? [i.adjustmentId] : []));
  const [commissions, adjustments] = await Promise.all([
    db.commission.findMany({
      where: { storeId, creatorId: row.creatorId, id: { in: commissionIds } },
      select: { id: true, conversionId: true, campaignId: true },
    }),
    db.commissionAdjustment.findMany({
      where: { storeId, creatorId: row.creatorId, id: { in: adjustmentIds } },
      select: { id: true, reason: true },
    }),
  ]);
  const [conversions, campaigns] = await Promise.all([
    db.conversion.findMany({
      where: { storeId, id: { in: commissions.map((c) => c.conversionId) } },
      select: { id: true, orderId: true, occurredAt: true },
    }),
    db.campaign.findMany({
      where: { storeId, id: { in: [...new Set(commissions.map((c) => c.campaignId))] } },
      select: { id: true, name: true },
    }),
  ]);
  const orders = await db.order.findMany({
    where: { storeId, id: { in: conversions.flatMap((c) => (c.orderId ? [c.orderId] : [])) } },
    select: { id: true, number: true, externalId: true },
  });
  const commission = new Map(commissions.map((c) => [c.id, c]));
  const conversion = new Map(conversions.map((c) => [c.id, c]));
  const order = new Map(orders.map((o) => [o.id, o]));
  const campaign = new Map(campaigns.map((c) => [c.id, c.name]));
  const reason = new Map(adjustments.map((a) => [a.id, a.reason]));
  const storeName = creators.find((c) => c.storeId === storeId)?.storeName ?? "";
  return {
    payout: { ...toPayoutView(row), storeName },
    lines: items.map((i) => {
      const cm = i.commissionId ? commission.get(i.commissionId) : undefined;
      const cv = cm ? conversion.get(cm.conversionId) : undefined;
      const o = cv?.orderId ? order.get(cv.orderId) : undefined;
      return {
        kind: i.kind,
        amount: i.amount,
        commissionId: cm?.id ?? null,
        orderRef: maskReference(o ? (o.number ?? o.externalId) : null),
        campaignName: cm ? (campaign.get(cm.campaignId) ?? "") : "",
        occurredAt: cv?.occurredAt ?? null,
        reason: i.adjustmentId ? (reason.get(i.adjustmentId) ?? null) : null,
      };
    }),
  };
}
