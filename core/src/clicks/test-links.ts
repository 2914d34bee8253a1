// Inserts a store, campaign, creator and tracking link directly, for tests and the benchmark.
import { randomBytes } from "node:crypto";
import type { Db } from "../db/client.ts";

export interface TestLink {
  storeId: string;
  campaignId: string;
  creatorId: string;
  linkId: string;
  code: string;
  destinationUrl: string;
}

export interface TestLinkOptions {
  code?: string;
  destinationUrl?: string;
  linkStatus?: string;
  campaignName?: string;
  campaignStatus?: string;
  startsAt?: Date | null;
  endsAt?: Date | null;
  lookbackDays?: number;
  creatorName?: string;
}

export async function insertTestLink(db: Db, options: TestLinkOptions = {}): Promise<TestLink> {
  const suffix = randomBytes(5).toString("hex");
  const storeId = `st_${suffix}`;
  const campaignId = `cp_${suffix}`;
  const creatorId = `cr_${suffix}`;
  const linkId = `ln_${suffix}`;
  const code = options.code ?? `c${suffix}`;
  const destinationUrl = options.destinationUrl ?? "https://shop.example/products/mug?color=blue#reviews";
  await db.store.create({
    data: {
      id: storeId,
      platform: "custom",
      domain: `${suffix}.shop.example`,
      name: "Shop",
      currency: "USD",
      hashKey: `key-${suffix}`,
    },
  });
  await db.campaign.create({
    data: {
      id: campaignId,
      storeId,
      name: options.campaignName ?? "Summer Sale 2026",
      status: options.campaignStatus ?? "active",
      goals: '["purchase"]',
      commissionRules: '{"purchase":{"type":"percentage","basisPoints":1000}}',
      currency: "USD",
      lookbackDays: options.lookbackDays ?? 30,
      startsAt: options.startsAt ?? null,
      endsAt: options.endsAt ?? null,
    },
  });
  await db.creator.create({ data: { id: creatorId, storeId, name: options.creatorName ?? "Zoë Martin" } });
  await db.trackingLink.create({
    data: { id: linkId, storeId, campaignId, creatorId, code, destinationUrl, status: options.linkStatus ?? "active" },
  });
  return { storeId, campaignId, creatorId, linkId, code, destinationUrl };
}
