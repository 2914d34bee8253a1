import { CAMPAIGN_STATUSES, type Campaign, isCampaignLive } from "../campaigns/campaign.ts";
import type { Db } from "../db/client.ts";
import { type PreparedDestination, prepareDestination } from "./tracked-destination.ts";

/** A tracking link with what the redirect needs from its campaign, creator and store, ready to serve. */
export interface TrackedLink {
  id: string;
  code: string;
  storeId: string;
  campaignId: string;
  creatorId: string;
  /** The store's visitor-hash key. */
  hashKey: string;
  /** Link active, creator not archived, store installed: the parts of "tracking" that do not depend on time. */
  enabled: boolean;
  campaign: Pick<Campaign, "status" | "startsAt" | "endsAt">;
  destination: PreparedDestination;
}

/** Whether a click at `at` is tracked; otherwise the visitor gets the plain destination and nothing is stored. */
export function isTracking(link: TrackedLink, at: Date): boolean {
  // isCampaignLive lets a paused campaign through (it still accepts conversions); clicks on it are not tracked.
  return link.enabled && link.campaign.status === "active" && isCampaignLive(link.campaign, at);
}

export interface LinkCache {
  /** The link for a code, or null when there is none (or its destination is unusable). */
  get(code: string): Promise<TrackedLink | null>;
  /** The fresh cached answer for a code without waiting (undefined when it must be loaded): the hot path's hit. */
  peek(code: string): TrackedLink | null | undefined;
  /** Drops one code, or everything, so the next request reads the database. */
  invalidate(code?: string): void;
}

export interface LinkCacheOptions {
  db: Db;
  /** How long a found link is served from memory: the delay before a pause or an edit takes effect. */
  ttlMs?: number;
  /** How long an unknown code is remembered as unknown. */
  negativeTtlMs?: number;
  maxEntries?: number;
  nowMs?: () => number;
  onInvalidDestination?: (link: { id: string; code: string }) => void;
}

// A status this code does not know is not trusted to be live.
function campaignStatus(status: string): Campaign["status"] {
  return (CAMPAIGN_STATUSES as readonly string[]).includes(status) ? (status as Campaign["status"]) : "ended";
}

interface Entry {
  link: TrackedLink | null;
  expiresAt: number;
}

// The redirect path must not query per request: links are cached by code with a short TTL, unknown
// codes too (so a scanner guessing codes costs one query per code per TTL), and concurrent misses for a
// code share one query.
export function createLinkCache(options: LinkCacheOptions): LinkCache {
  const { db, ttlMs = 5_000, negativeTtlMs = 5_000, maxEntries = 100_000, nowMs = Date.now } = options;
  const onInvalidDestination =
    options.onInvalidDestination ??
    ((link) => console.warn(`tracking link ${link.id} (${link.code}) has no usable destination; answering 404`));
  const entries = new Map<string, Entry>();
  const loading = new Map<string, Promise<TrackedLink | null>>();

  async function load(code: string): Promise<TrackedLink | null> {
    const row = await db.trackingLink.findUnique({
      where: { code },
      include: {
        campaign: { select: { name: true, status: true, startsAt: true, endsAt: true, lookbackDays: true } },
        creator: { select: { name: true, status: true } },
        store: { select: { hashKey: true, status: true } },
      },
    });
    if (row === null) return null;
    const destination = prepareDestination(row.destinationUrl, {
      campaignName: row.campaign.name,
      creatorName: row.creator.name,
      campaignId: row.campaignId,
      creatorId: row.creatorId,
      lookbackDays: row.campaign.lookbackDays,
    });
    if (destination === null) {
      onInvalidDestination({ id: row.id, code: row.code });
      return null;
    }
    return {
      id: row.id,
      code: row.code,
      storeId: row.storeId,
      campaignId: row.campaignId,
      creatorId: row.creatorId,
      hashKey: row.store.hashKey,
      enabled: row.status === "active" && row.creator.status !== "archived" && row.store.status === "active",
      campaign: {
        status: campaignStatus(row.campaign.status),
        startsAt: row.campaign.startsAt,
        endsAt: row.campaign.endsAt,
      },
      destination,
    };
  }

  function store(code: string, link: TrackedLink | null): void {
    entries.delete(code);
    entries.set(code, { link, expiresAt: nowMs() + (link === null ? negativeTtlMs : ttlMs) });
    // Oldest first: Map iteration is insertion order.
    for (const key of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(key);
    }
  }

  function refresh(code: string): Promise<TrackedLink | null> {
    let pending = loading.get(code);
    if (pending === undefined) {
      pending = load(code).then(
        (link) => {
          loading.delete(code);
          store(code, link);
          return link;
        },
        (error: unknown) => {
          loading.delete(code);
          // A database hiccup should not break links that were working a moment ago: serve the expired
          // entry for another TTL.
          const stale = entries.get(code);
          if (stale === undefined) throw error;
          stale.expiresAt = nowMs() + ttlMs;
          return stale.link;
        },
      );
      loading.set(code, pending);
    }
    return pending;
  }

  function peek(code: string): TrackedLink | null | undefined {
    const entry = entries.get(code);
    return entry !== undefined && entry.expiresAt > nowMs() ? entry.link : undefined;
  }

  return {
    get(code) {
      const link = peek(code);
      return link !== undefined ? Promise.resolve(link) : refresh(code);
    },
    peek,
    invalidate(code) {
      if (code === undefined) entries.clear();
      else entries.delete(code);
    },
  };
}
