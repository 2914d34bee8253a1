import { qualifiedClicksOf } from "../admin/click-rollup.ts";
import type { Db } from "../db/client.ts";
import { type CreatorPayoutAccount, getCreatorPayoutAccount } from "../payouts/payout-settings.ts";
import { listPayouts, type PayoutView } from "../payouts/payout-store.ts";
import { toSafeNumber } from "../shared/db-errors.ts";

// What a signed-in creator may see: only rows of the Creator ids whose emailHash is the session's. Every query
// below filters on those ids (and on their store), never on an id taken from the request alone.

export interface PortalCreator {
  creatorId: string;
  creatorName: string;
  storeId: string;
  storeName: string;
}

export const EARNING_STATUSES = ["pending", "approved", "paid", "reversed"] as const;
export type EarningStatus = (typeof EARNING_STATUSES)[number];
export type Earnings = Record<EarningStatus, number>;

export interface PortalLinkRow {
  storeId: string;
  storeName: string;
  creatorId: string;
  campaignId: string;
  campaignName: string;
  /** Tracking codes of this creator in this campaign (one link per campaign and creator today). */
  codes: string[];
  qualifiedClicks: number;
  conversions: number;
  /** Minor units per currency, never summed across currencies. */
  earnings: { currency: string; amounts: Earnings }[];
}

export interface PortalOverview {
  creators: PortalCreator[];
  rows: PortalLinkRow[];
  /** Across every store, one entry per currency. */
  totals: { currency: string; amounts: Earnings }[];
}

const emptyEarnings = (): Earnings => ({ pending: 0, approved: 0, paid: 0, reversed: 0 });

/** The Creator rows of one email, across every store, with the store's name. */
export async function creatorsOfEmail(db: Db, emailHash: string): Promise<PortalCreator[]> {
  const rows = await db.creator.findMany({
    where: { emailHash },
    select: { id: true, name: true, storeId: true, store: { select: { name: true, domain: true } } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return rows.map((r) => ({
    creatorId: r.id,
    creatorName: r.name,
    storeId: r.storeId,
    storeName: r.store.name || r.store.domain,
  }));
}

export async function portalOverview(db: Db, emailHash: string): Promise<PortalOverview> {
  const creators = await creatorsOfEmail(db, emailHash);
  const ids = creators.map((c) => c.creatorId);
  if (ids.length === 0) return { creators, rows: [], totals: [] };
  // Every query names the stores too: their indexes lead with storeId, and a creator id alone would make
  // the database read every store's rows.
  const storeIds = [...new Set(creators.map((c) => c.storeId))];
  const mine = { storeId: { in: storeIds }, creatorId: { in: ids } };
  const [links, clicks, credits, commissions] = await Promise.all([
    db.trackingLink.findMany({
      where: mine,
      select: { storeId: true, campaignId: true, creatorId: true, code: true },
      orderBy: { createdAt: "asc" },
    }),
    // Click counts come from the daily rollup: a store can have millions of clicks.
    Promise.all(
      storeIds.map(async (storeId) => {
        const counts = await qualifiedClicksOf(
          db,
          storeId,
          creators.filter((c) => c.storeId === storeId).map((c) => c.creatorId),
        );
        return counts.map((c) => ({ ...c, storeId }));
      }),
    ).then((perStore) => perStore.flat()),
    db.attribution.findMany({
      where: mine,
      select: { storeId: true, campaignId: true, creatorId: true, conversionId: true },
    }),
    db.commission.groupBy({
      by: ["storeId", "campaignId", "creatorId", "status", "currency"],
      where: { ...mine, status: { in: [...EARNING_STATUSES] } },
      _sum: { amount: true, original: true },
    }),
  ]);
  const byCreator = new Map(creators.map((c) => [c.creatorId, c]));
  const campaignIds = new Set<string>();
  const rows = new Map<string, PortalLinkRow & { conversionIds: Set<string> }>();
  // A row is one creator in one campaign; the store must be the creator's own, so a stray row of another
  // store that happens to carry the id is ignored.
  const row = (storeId: string, campaignId: string, creatorId: string) => {
    const creator = byCreator.get(creatorId);
    if (!creator || creator.storeId !== storeId) return null;
    const key = `${creatorId}:${campaignId}`;
    let r = rows.get(key);
    if (!r) {
      campaignIds.add(campaignId);
      r = {
        storeId,
        storeName: creator.storeName,
        creatorId,
        campaignId,
        campaignName: campaignId,
        codes: [],
        qualifiedClicks: 0,
        conversions: 0,
        earnings: [],
        conversionIds: new Set(),
      };
      rows.set(key, r);
    }
    return r;
  };
  for (const l of links) row(l.storeId, l.campaignId, l.creatorId)?.codes.push(l.code);
  for (const c of clicks) {
    const r = row(c.storeId, c.campaignId, c.creatorId);
    if (r) r.qualifiedClicks += c.clicks;
  }
  for (const a of credits) row(a.storeId, a.campaignId, a.creatorId)?.conversionIds.add(a.conversionId);
  const totals = new Map<string, Earnings>();
  for (const c of commissions) {
    const r = row(c.storeId, c.campaignId, c.creatorId);
    if (!r) continue;
    const status = c.status as EarningStatus;
    // A reversed commission's amount is 0: what was reversed is its original amount.
    const amount = toSafeNumber((status === "reversed" ? c._sum.original : c._sum.amount) ?? 0n);
    let entry = r.earnings.find((e) => e.currency === c.currency);
    if (!entry) {
      entry = { currency: c.currency, amounts: emptyEarnings() };
      r.earnings.push(entry);
    }
    entry.amounts[status] += amount;
    const total = totals.get(c.currency) ?? emptyEarnings();
    total[status] += amount;
    totals.set(c.currency, total);
  }
  const campaigns = await db.campaign.findMany({
    where: { id: { in: [...campaignIds] }, storeId: { in: [...new Set(creators.map((c) => c.storeId))] } },
    select: { id: true, storeId: true, name: true },
  });
  const campaignName = new Map(campaigns.map((c) => [`${c.storeId}:${c.id}`, c.name]));
  const list = [...rows.values()].map(({ conversionIds, ...r }) => ({
    ...r,
    campaignName: campaignName.get(`${r.storeId}:${r.campaignId}`) ?? r.campaignId,
    conversions: conversionIds.size,
    earnings: r.earnings.sort((a, b) => a.currency.localeCompare(b.currency)),
  }));
  list.sort((a, b) => a.storeName.localeCompare(b.storeName) || a.campaignName.localeCompare(b.campaignName));
  return {
    creators,
    rows: list,
    totals: [...totals.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, amounts]) => ({ currency, amounts })),
  };
}

export interface PortalPayout extends PayoutView {
  storeName: string;
}

/** Payout history of every Creator row of the email, newest first. */
export async function portalPayouts(db: Db, emailHash: string): Promise<PortalPayout[]> {
  const creators = await creatorsOfEmail(db, emailHash);
  const lists = await Promise.all(
    creators.map(async (c) =>
      (await listPayouts(db, c.storeId, { creatorId: c.creatorId })).map((p) => ({ ...p, storeName: c.storeName })),
    ),
  );
  return lists.flat().sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || a.id.localeCompare(b.id));
}

export interface PortalPayoutMethod extends PortalCreator {
  account: CreatorPayoutAccount | null;
}

/** The payout method each store has for this creator. */
export async function portalPayoutMethods(db: Db, emailHash: string): Promise<PortalPayoutMethod[]> {
  const creators = await creatorsOfEmail(db, emailHash);
  return Promise.all(
    creators.map(async (c) => ({ ...c, account: await getCreatorPayoutAccount(db, c.storeId, c.creatorId) })),
  );
}

/** The creator row with this id if it belongs to this email, else null: how a form's creator id is checked. */
export async function creatorOfEmail(db: Db, emailHash: string, creatorId: string): Promise<PortalCreator | null> {
  return (await creatorsOfEmail(db, emailHash)).find((c) => c.creatorId === creatorId) ?? null;
}
