import { getCampaign } from "../campaigns/campaign-store.ts";
import type { Db } from "../db/client.ts";
import { getStore, type Store } from "../stores/store.ts";
import type { DiscountType } from "./forms.ts";
import { getCampaignOnboarding } from "./program-settings.ts";

// Creating a creator's discount code in the shop itself (issue 16). Core decides what the code is and when it
// is live; the platform adapters (@trailmark/shopify, @trailmark/woocommerce) implement the gateway that speaks
// the platform's API. A DiscountCode row records where the shop's copy stands: pending, active, inactive or
// failed (with the reason the merchant sees on the creator's page).

/** The customer discount a code gives, from the campaign's onboarding settings and dates. */
export interface DiscountSpec {
  code: string;
  title: string;
  type: Exclude<DiscountType, "none">;
  /** Basis points for a percentage, minor units of `currency` for a fixed amount. */
  value: number;
  currency: string;
  oncePerCustomer: boolean;
  /** Minor units; 0: no minimum. */
  minimumSubtotal: number;
  startsAt: Date | null;
  endsAt: Date | null;
}

export interface StoreDiscountGateway {
  /** Creates the code in the shop (or adopts an identical one already there); the shop's id for it. */
  create(spec: DiscountSpec): Promise<{ externalId: string }>;
  /** Turns the shop's code on or off (creator archived or restored, campaign ended). */
  setActive(externalId: string, active: boolean, spec: DiscountSpec): Promise<void>;
}

/** A refusal the merchant can act on (code taken by another discount, permission missing): shown as is. */
export class DiscountCodeError extends Error {
  readonly suggestion: string | null;
  constructor(message: string, suggestion: string | null = null) {
    super(message);
    this.name = "DiscountCodeError";
    this.suggestion = suggestion;
  }
}

/** The gateway for a store, or null when its platform has none (custom stores) or it is not connected. */
export type DiscountGatewayFor = (store: Store) => Promise<StoreDiscountGateway | null> | StoreDiscountGateway | null;

/** The spec of a code, or null when its campaign gives customers no discount. */
export async function discountSpecOf(
  db: Db,
  row: { storeId: string; campaignId: string; code: string },
): Promise<DiscountSpec | null> {
  const campaign = await getCampaign(db, row.storeId, row.campaignId);
  if (!campaign) return null;
  const onboarding = await getCampaignOnboarding(db, row.storeId, row.campaignId);
  if (onboarding.discountType === "none") return null;
  return {
    code: row.code,
    title: `${campaign.name}: ${row.code}`,
    type: onboarding.discountType,
    value: onboarding.discountValue,
    currency: campaign.currency,
    oncePerCustomer: onboarding.oncePerCustomer,
    minimumSubtotal: onboarding.minimumSubtotal,
    startsAt: campaign.startsAt,
    endsAt: campaign.endsAt,
  };
}

/**
 * Creates one code in its shop if it is not there yet. Never throws for the shop's answer: the row says
 * failed with the reason, and the merchant retries from the creator's page.
 */
export async function pushDiscountCode(
  db: Db,
  gatewayFor: DiscountGatewayFor,
  storeId: string,
  discountCodeId: string,
): Promise<{ status: string; error: string | null }> {
  const row = await db.discountCode.findFirst({ where: { id: discountCodeId, storeId } });
  if (!row) return { status: "missing", error: null };
  if (row.externalId && row.storeStatus !== "failed") return { status: row.storeStatus, error: null };
  const store = await getStore(db, storeId);
  const spec = store ? await discountSpecOf(db, row) : null;
  const gateway = store && spec ? await gatewayFor(store) : null;
  if (!spec || !gateway) {
    // No shop API for this store (a custom site, WooCommerce without keys): the code is a mapping, as one
    // the merchant adds by hand, and the merchant creates it in the shop.
    if (row.storeStatus !== "pending") return { status: row.storeStatus, error: null };
    await db.discountCode.updateMany({
      where: { id: row.id, storeId, storeStatus: "pending" },
      data: { storeStatus: "none" },
    });
    return { status: "none", error: null };
  }
  try {
    const { externalId } = await gateway.create(spec);
    await db.discountCode.updateMany({
      where: { id: row.id, storeId },
      data: { externalId, storeStatus: "active", storeError: null },
    });
    return { status: "active", error: null };
  } catch (error) {
    const message =
      error instanceof DiscountCodeError
        ? error.message
        : `the shop did not create the code: ${error instanceof Error ? error.message : String(error)}`;
    await db.discountCode.updateMany({
      where: { id: row.id, storeId },
      data: { storeStatus: "failed", storeError: message.slice(0, 1000) },
    });
    if (!(error instanceof DiscountCodeError)) console.warn(`discount code ${row.code}: ${message}`);
    return { status: "failed", error: message };
  }
}

/**
 * Makes the shop's copies of a creator's codes match what they should be: active while the creator is active
 * and the campaign has not ended, inactive otherwise. Called after archiving, restoring or ending.
 */
export async function syncDiscountCodes(
  db: Db,
  gatewayFor: DiscountGatewayFor,
  storeId: string,
  filter: { creatorId?: string; campaignId?: string },
): Promise<void> {
  const store = await getStore(db, storeId);
  if (!store) return;
  const gateway = await gatewayFor(store);
  if (!gateway) return;
  const rows = await db.discountCode.findMany({
    where: { storeId, ...filter, externalId: { not: null }, storeStatus: { in: ["active", "inactive"] } },
  });
  for (const row of rows) {
    const creator = await db.creator.findFirst({ where: { id: row.creatorId, storeId }, select: { status: true } });
    const campaign = await getCampaign(db, storeId, row.campaignId);
    const live = creator?.status === "active" && campaign !== null && campaign.status !== "ended";
    const wanted = live ? "active" : "inactive";
    if (row.storeStatus === wanted) continue;
    const spec = await discountSpecOf(db, row);
    if (!spec || !row.externalId) continue;
    try {
      await gateway.setActive(row.externalId, live, spec);
      await db.discountCode.updateMany({
        where: { id: row.id, storeId },
        data: { storeStatus: wanted, storeError: null },
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await db.discountCode.updateMany({
        where: { id: row.id, storeId },
        data: { storeError: message.slice(0, 1000) },
      });
    }
  }
}
