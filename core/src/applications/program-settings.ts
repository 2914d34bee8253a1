import { requireCampaign } from "../campaigns/campaign-store.ts";
import type { Db } from "../db/client.ts";
import { toSafeNumber } from "../shared/db-errors.ts";
import { requireStore } from "../stores/store.ts";
import {
  type CampaignOnboarding,
  type CampaignOnboardingInput,
  CampaignOnboardingInputSchema,
  type DiscountType,
  ProgramTermsInputSchema,
} from "./forms.ts";

// The program's settings for onboarding: the terms applicants consent to (versioned, so an application keeps
// the version it accepted) and, per campaign, auto-approval and the customer discount of creators' codes.

export interface ProgramTerms {
  terms: string;
  /** 0 while the store has never written terms. */
  termsVersion: number;
}

export async function getProgramTerms(db: Db, storeId: string): Promise<ProgramTerms> {
  const row = await db.programSettings.findUnique({ where: { storeId } });
  return { terms: row?.terms ?? "", termsVersion: row?.termsVersion ?? 0 };
}

/** Saves the terms; the version goes up only when the text changes. */
export async function setProgramTerms(db: Db, storeId: string, input: { terms: string }): Promise<ProgramTerms> {
  const { terms } = ProgramTermsInputSchema.parse(input);
  await requireStore(db, storeId);
  const text = terms.replace(/\r\n/g, "\n").trim();
  const current = await getProgramTerms(db, storeId);
  if (current.terms === text) return current;
  const row = await db.programSettings.upsert({
    where: { storeId },
    create: { storeId, terms: text, termsVersion: 1 },
    update: { terms: text, termsVersion: { increment: 1 } },
  });
  return { terms: row.terms, termsVersion: row.termsVersion };
}

export const DEFAULT_ONBOARDING: CampaignOnboarding = {
  autoApprove: false,
  discountType: "none",
  discountValue: 0,
  oncePerCustomer: true,
  minimumSubtotal: 0,
};

export async function getCampaignOnboarding(db: Db, storeId: string, campaignId: string): Promise<CampaignOnboarding> {
  const row = await db.campaignOnboarding.findFirst({ where: { campaignId, storeId } });
  if (!row) return { ...DEFAULT_ONBOARDING };
  return {
    autoApprove: row.autoApprove,
    discountType: row.discountType as DiscountType,
    discountValue: toSafeNumber(row.discountValue),
    oncePerCustomer: row.oncePerCustomer,
    minimumSubtotal: toSafeNumber(row.minimumSubtotal),
  };
}

/** Every campaign's onboarding settings in the store, by campaign id (defaults for campaigns without a row). */
export async function listCampaignOnboarding(db: Db, storeId: string): Promise<Map<string, CampaignOnboarding>> {
  const campaigns = await db.campaign.findMany({ where: { storeId }, select: { id: true } });
  const rows = await db.campaignOnboarding.findMany({ where: { storeId } });
  const out = new Map<string, CampaignOnboarding>(campaigns.map((c) => [c.id, { ...DEFAULT_ONBOARDING }]));
  for (const row of rows)
    out.set(row.campaignId, {
      autoApprove: row.autoApprove,
      discountType: row.discountType as DiscountType,
      discountValue: toSafeNumber(row.discountValue),
      oncePerCustomer: row.oncePerCustomer,
      minimumSubtotal: toSafeNumber(row.minimumSubtotal),
    });
  return out;
}

export async function setCampaignOnboarding(
  db: Db,
  storeId: string,
  campaignId: string,
  input: CampaignOnboardingInput,
): Promise<CampaignOnboarding> {
  const data = CampaignOnboardingInputSchema.parse(input);
  await requireCampaign(db, storeId, campaignId);
  await db.campaignOnboarding.upsert({
    where: { campaignId },
    create: { campaignId, storeId, ...data },
    update: data,
  });
  return getCampaignOnboarding(db, storeId, campaignId);
}
