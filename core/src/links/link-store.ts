import { z } from "zod";
import { requireCampaign } from "../campaigns/campaign-store.ts";
import { requireCreator } from "../creators/creator.ts";
import type { Db } from "../db/client.ts";
import { isUniqueViolation } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";
import { newId, randomToken } from "../shared/ids.ts";
import { isStoreHost, requireStore } from "../stores/store.ts";

export const LINK_CODE_PATTERN = /^[0-9A-Za-z_-]{3,64}$/;

export const LinkInputSchema = z
  .object({
    campaignId: z.string().min(1),
    creatorId: z.string().min(1),
    destinationUrl: z.url({ protocol: /^https?$/, error: "must be an http or https URL" }).max(2000),
    code: z.string().regex(LINK_CODE_PATTERN, "3-64 letters, digits, - or _").optional(),
  })
  .strict();
export type LinkInput = z.input<typeof LinkInputSchema>;

export interface TrackingLink {
  id: string;
  storeId: string;
  campaignId: string;
  creatorId: string;
  code: string;
  destinationUrl: string;
  status: "active" | "paused";
}

/**
 * Creates the creator's link for a campaign. The destination must be on the store's domain or an allowed
 * domain: the redirect only ever sends visitors to a URL checked here, so it can never be an open redirect.
 */
export async function createLink(db: Db, storeId: string, input: LinkInput): Promise<TrackingLink> {
  const data = LinkInputSchema.parse(input);
  const store = await requireStore(db, storeId);
  await requireCampaign(db, storeId, data.campaignId);
  await requireCreator(db, storeId, data.creatorId);
  const host = new URL(data.destinationUrl).host;
  if (!isStoreHost(store, host)) {
    throw new AppError("invalid", `destinationUrl must be on ${store.domain} or an allowed domain, not ${host}`, [
      { path: "destinationUrl", message: "not on the store's domain" },
    ]);
  }
  try {
    const row = await db.trackingLink.create({
      data: {
        id: newId("ln"),
        storeId,
        campaignId: data.campaignId,
        creatorId: data.creatorId,
        code: data.code ?? randomToken(8),
        destinationUrl: data.destinationUrl,
      },
    });
    return row as TrackingLink;
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("conflict", "this creator already has a link for this campaign, or the code is taken");
    }
    throw error;
  }
}

export async function listLinks(db: Db, storeId: string, filter: { campaignId?: string; creatorId?: string } = {}) {
  return (await db.trackingLink.findMany({
    where: { storeId, ...filter },
    orderBy: { createdAt: "asc" },
  })) as TrackingLink[];
}

export async function setLinkStatus(db: Db, storeId: string, linkId: string, status: TrackingLink["status"]) {
  const { count } = await db.trackingLink.updateMany({ where: { id: linkId, storeId }, data: { status } });
  if (count === 0) throw new AppError("not_found", `link ${linkId} not found`);
}

export const DiscountCodeInputSchema = z
  .object({
    campaignId: z.string().min(1),
    creatorId: z.string().min(1),
    code: z.string().trim().min(2).max(100),
  })
  .strict();

export function normalizeDiscountCode(code: string): string {
  return code.trim().toUpperCase();
}

/** A creator's discount code: an order using it credits the creator as a touch at order time. */
export async function createDiscountCode(db: Db, storeId: string, input: z.input<typeof DiscountCodeInputSchema>) {
  const data = DiscountCodeInputSchema.parse(input);
  await requireCampaign(db, storeId, data.campaignId);
  await requireCreator(db, storeId, data.creatorId);
  try {
    return await db.discountCode.create({
      data: {
        id: newId("dc"),
        storeId,
        campaignId: data.campaignId,
        creatorId: data.creatorId,
        code: normalizeDiscountCode(data.code),
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("conflict", `discount code ${data.code} is already assigned`);
    throw error;
  }
}

export async function listDiscountCodes(
  db: Db,
  storeId: string,
  filter: { campaignId?: string; creatorId?: string } = {},
) {
  return db.discountCode.findMany({
    where: { storeId, ...filter },
    select: {
      id: true,
      campaignId: true,
      creatorId: true,
      code: true,
      storeStatus: true,
      storeError: true,
      createdAt: true,
    },
    orderBy: { createdAt: "asc" },
  });
}

/** The public tracking URL of a link code. */
export function trackingUrl(publicUrl: string, code: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/c/${encodeURIComponent(code)}`;
}
