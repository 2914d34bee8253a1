import type { Db } from "../db/client.ts";
import { minimumPayoutFor } from "../payouts/index.ts";
import { type CreatorPayoutAccount, getCreatorPayoutAccount, getPayoutSettings } from "../payouts/payout-settings.ts";
import { isPayoutRunDue, nextPeriodStart, type PayoutSchedule } from "../payouts/schedule.ts";
import { toSafeNumber } from "../shared/db-errors.ts";

// What a signed-in creator may see: only rows of the Creator ids whose emailHash is the session's. Every query
// filters on those (store, creator) pairs, never on an id taken from the request alone.

export interface PortalCreator {
  creatorId: string;
  creatorName: string;
  storeId: string;
  storeName: string;
  storeCurrency: string;
  minimumPayout: number;
}

export const EARNING_STATUSES = ["pending", "approved", "paid", "reversed"] as const;
export type EarningStatus = (typeof EARNING_STATUSES)[number];
/** Minor units. reversed is what refunds and cancellations took back (the commission before them, less now). */
export type Earnings = Record<EarningStatus, number>;

export interface NextPayout {
  currency: string;
  /** The next scheduled run; null when the store pays by hand. */
  date: Date | null;
  /** Approved and not yet claimed by a run, with adjustments (clawbacks) still to settle. */
  amount: number;
  minimum: number;
  toReach: number;
}

export interface PortalStoreOverview extends PortalCreator {
  earnings: { currency: string; amounts: Earnings }[];
  nextPayouts: NextPayout[];
  account: CreatorPayoutAccount | null;
  schedule: PayoutSchedule;
}

export interface PortalOverview {
  creators: PortalCreator[];
  stores: PortalStoreOverview[];
}

const emptyEarnings = (): Earnings => ({ pending: 0, approved: 0, paid: 0, reversed: 0 });

/** The Creator rows of one email, across every store, with the store's name and payout minimum. */
export async function creatorsOfEmail(db: Db, emailHash: string): Promise<PortalCreator[]> {
  const rows = await db.creator.findMany({
    where: { emailHash },
    select: {
      id: true,
      name: true,
      storeId: true,
      store: { select: { name: true, domain: true, currency: true, minimumPayout: true } },
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return rows.map((r) => ({
    creatorId: r.id,
    creatorName: r.name,
    storeId: r.storeId,
    storeName: r.store.name || r.store.domain,
    storeCurrency: r.store.currency,
    minimumPayout: toSafeNumber(r.store.minimumPayout),
  }));
}

/** The where clause of rows that belong to these creators: each (store, creator) pair, never one alone. */
export function ownedBy(creators: readonly PortalCreator[]) {
  return { OR: creators.map((c) => ({ storeId: c.storeId, creatorId: c.creatorId })) };
}

/** Earnings per store and currency, and the next payout of each, for every store that knows the email. */
export async function portalOverview(db: Db, emailHash: string, now = new Date()): Promise<PortalOverview> {
  const creators = await creatorsOfEmail(db, emailHash);
  if (creators.length === 0) return { creators, stores: [] };
  const mine = ownedBy(creators);
  const [sums, ready, adjustments] = await Promise.all([
    db.commission.groupBy({
      by: ["storeId", "creatorId", "status", "currency"],
      where: { ...mine, status: { in: [...EARNING_STATUSES] } },
      _sum: { amount: true, original: true },
    }),
    db.commission.groupBy({
      by: ["storeId", "creatorId", "currency"],
      where: { ...mine, status: "approved", payoutId: null },
      _sum: { amount: true },
    }),
    db.commissionAdjustment.groupBy({
      by: ["storeId", "creatorId", "currency"],
      where: { ...mine, payoutId: null },
      _sum: { amount: true },
    }),
  ]);
  const stores = await Promise.all(
    creators.map(async (creator): Promise<PortalStoreOverview> => {
      const own = <T extends { storeId: string; creatorId: string }>(rows: T[]) =>
        rows.filter((r) => r.storeId === creator.storeId && r.creatorId === creator.creatorId);
      const earnings = new Map<string, Earnings>();
      for (const s of own(sums)) {
        const e = earnings.get(s.currency) ?? emptyEarnings();
        const amount = toSafeNumber(s._sum.amount ?? 0n);
        const original = toSafeNumber(s._sum.original ?? 0n);
        // A reversed commission is stored at 0 and a partly refunded one at what is left; `original` keeps
        // what it was before, so the difference is what the creator lost.
        if (s.status !== "reversed") e[s.status as EarningStatus] += amount;
        e.reversed += original - amount;
        earnings.set(s.currency, e);
      }
      const due = new Map<string, number>();
      for (const r of own(ready)) due.set(r.currency, (due.get(r.currency) ?? 0) + toSafeNumber(r._sum.amount ?? 0n));
      for (const a of own(adjustments))
        due.set(a.currency, (due.get(a.currency) ?? 0) + toSafeNumber(a._sum.amount ?? 0n));
      const [settings, lastRun, account] = await Promise.all([
        getPayoutSettings(db, creator.storeId),
        db.payoutRun.findFirst({
          where: { storeId: creator.storeId },
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
          select: { createdAt: true },
        }),
        getCreatorPayoutAccount(db, creator.storeId, creator.creatorId),
      ]);
      const date =
        settings.schedule === "manual"
          ? null
          : isPayoutRunDue(settings.schedule, lastRun?.createdAt ?? null, now, settings.payoutDay)
            ? now
            : nextPeriodStart(settings.schedule, now, settings.payoutDay);
      const currencies = new Set([...due.keys(), ...earnings.keys()]);
      if (currencies.size === 0) currencies.add(creator.storeCurrency);
      const nextPayouts = [...currencies].sort().map((currency) => {
        const amount = due.get(currency) ?? 0;
        const minimum = minimumPayoutFor(
          { currency: creator.storeCurrency, minimumPayout: creator.minimumPayout },
          currency,
        );
        return { currency, date, amount, minimum, toReach: Math.max(0, minimum - amount) };
      });
      return {
        ...creator,
        earnings: [...earnings.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([currency, amounts]) => ({ currency, amounts })),
        nextPayouts,
        account,
        schedule: settings.schedule,
      };
    }),
  );
  return { creators, stores };
}

/** Codes a customer can use: made by hand in the shop (none), or created there by Trailmark and on (active). */
export const USABLE_CODE_STATUSES = ["none", "active"] as const;

export interface PortalLink {
  storeId: string;
  storeName: string;
  campaignName: string;
  /** The tracking link's code; null for a campaign where the creator has only discount codes. */
  code: string | null;
  status: string;
  /** Discount codes of this creator in the same campaign. */
  discountCodes: string[];
}

/** Every tracking link and discount code of the creator, one entry per store and campaign. */
export async function portalLinks(db: Db, emailHash: string): Promise<PortalLink[]> {
  const creators = await creatorsOfEmail(db, emailHash);
  if (creators.length === 0) return [];
  const mine = ownedBy(creators);
  const [links, codes] = await Promise.all([
    db.trackingLink.findMany({
      where: mine,
      select: { storeId: true, campaignId: true, code: true, status: true },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    }),
    // A code the shop does not have (not created yet, refused, or turned off) would not work at checkout.
    db.discountCode.findMany({
      where: { ...mine, storeStatus: { in: [...USABLE_CODE_STATUSES] } },
      select: { storeId: true, campaignId: true, code: true },
      orderBy: { code: "asc" },
    }),
  ]);
  const storeName = new Map(creators.map((c) => [c.storeId, c.storeName]));
  const entries = new Map<string, Omit<PortalLink, "campaignName"> & { campaignId: string }>();
  const entry = (storeId: string, campaignId: string) => {
    const key = `${storeId}:${campaignId}`;
    let e = entries.get(key);
    if (!e) {
      e = {
        storeId,
        storeName: storeName.get(storeId) ?? "",
        campaignId,
        code: null,
        status: "active",
        discountCodes: [],
      };
      entries.set(key, e);
    }
    return e;
  };
  for (const l of links) Object.assign(entry(l.storeId, l.campaignId), { code: l.code, status: l.status });
  for (const c of codes) entry(c.storeId, c.campaignId).discountCodes.push(c.code);
  const campaigns = await db.campaign.findMany({
    where: { OR: [...entries.values()].map((e) => ({ storeId: e.storeId, id: e.campaignId })) },
    select: { id: true, storeId: true, name: true },
  });
  const campaignName = new Map(campaigns.map((c) => [`${c.storeId}:${c.id}`, c.name]));
  const out = [...entries.values()].map(({ campaignId, ...e }) => ({
    ...e,
    campaignName: campaignName.get(`${e.storeId}:${campaignId}`) ?? "",
  }));
  return out.sort((a, b) => a.storeName.localeCompare(b.storeName) || a.campaignName.localeCompare(b.campaignName));
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
