// Builds a small affiliate program through the real use cases, for tests.

import type { CampaignInput } from "../campaigns/campaign.ts";
import { createCampaign } from "../campaigns/campaign-store.ts";
import { type CreatorInput, createCreator } from "../creators/creator.ts";
import type { Db } from "../db/client.ts";
import { newClickId } from "../links/click-id.ts";
import { createDiscountCode, createLink } from "../links/link-store.ts";
import { createStore } from "../stores/store.ts";

export const DAY = 24 * 60 * 60 * 1000;

export async function seedProgram(
  db: Db,
  options: { domain?: string; campaign?: Partial<CampaignInput>; creators?: CreatorInput[] } = {},
) {
  const domain = options.domain ?? `shop-${Math.random().toString(36).slice(2, 8)}.example.com`;
  const { store } = await createStore(db, { platform: "custom", domain, currency: "USD" });
  const campaign = await createCampaign(db, store.id, { name: "Spring", ...options.campaign });
  const creators = [];
  const links = [];
  for (const input of options.creators ?? [{ name: "Ada" }, { name: "Ben" }]) {
    const creator = await createCreator(db, store.id, input);
    creators.push(creator);
    links.push(
      await createLink(db, store.id, {
        campaignId: campaign.id,
        creatorId: creator.id,
        destinationUrl: `https://${domain}/products/x`,
      }),
    );
  }
  return { store, campaign, creators, links };
}

/** Inserts a click as the redirect would have recorded it. */
export async function insertClick(
  db: Db,
  link: { id: string; storeId: string; campaignId: string; creatorId: string },
  at: Date,
  qualification: "qualified" | "repeat" | "bot" = "qualified",
): Promise<string> {
  const id = newClickId();
  await db.click.create({
    data: {
      id,
      storeId: link.storeId,
      linkId: link.id,
      campaignId: link.campaignId,
      creatorId: link.creatorId,
      visitorHash: `v-${id}`,
      qualification,
      occurredAt: at,
    },
  });
  return id;
}

export { createDiscountCode };
