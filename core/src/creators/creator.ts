import { z } from "zod";
import {
  type CommissionOverrides,
  CommissionOverridesSchema,
  type CommissionRule,
  CommissionRuleSchema,
  type Goal,
} from "../campaigns/campaign.ts";
import { requireCampaign } from "../campaigns/campaign-store.ts";
import type { Db } from "../db/client.ts";
import { parseJson } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";
import { hashEmail } from "../shared/hashing.ts";
import { newId } from "../shared/ids.ts";
import { requireStore } from "../stores/store.ts";

export const CreatorInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.email().max(320).optional(),
    commissionOverrides: CommissionOverridesSchema.default({}),
  })
  .strict();
export type CreatorInput = z.input<typeof CreatorInputSchema>;

export interface Creator {
  id: string;
  storeId: string;
  name: string;
  email: string | null;
  emailHash: string | null;
  status: "active" | "archived";
  commissionOverrides: CommissionOverrides;
}

type CreatorRow = NonNullable<Awaited<ReturnType<Db["creator"]["findUnique"]>>>;

export function toCreator(row: CreatorRow): Creator {
  return {
    id: row.id,
    storeId: row.storeId,
    name: row.name,
    email: row.email,
    emailHash: row.emailHash,
    status: row.status as Creator["status"],
    commissionOverrides: CommissionOverridesSchema.parse(parseJson(row.commissionOverrides, {})),
  };
}

export async function createCreator(db: Db, storeId: string, input: CreatorInput): Promise<Creator> {
  const data = CreatorInputSchema.parse(input);
  await requireStore(db, storeId);
  const row = await db.creator.create({
    data: {
      id: newId("cr"),
      storeId,
      name: data.name,
      email: data.email ?? null,
      emailHash: data.email ? hashEmail(data.email) : null,
      commissionOverrides: JSON.stringify(data.commissionOverrides),
    },
  });
  return toCreator(row);
}

export async function getCreator(db: Db, storeId: string, creatorId: string): Promise<Creator | null> {
  const row = await db.creator.findFirst({ where: { id: creatorId, storeId } });
  return row ? toCreator(row) : null;
}

export async function requireCreator(db: Db, storeId: string, creatorId: string): Promise<Creator> {
  const creator = await getCreator(db, storeId, creatorId);
  if (!creator) throw new AppError("not_found", `creator ${creatorId} not found`);
  return creator;
}

export async function listCreators(db: Db, storeId: string): Promise<Creator[]> {
  return (await db.creator.findMany({ where: { storeId }, orderBy: { createdAt: "asc" } })).map(toCreator);
}

export const CreatorUpdateSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.email().max(320).nullable(),
  })
  .strict();
export type CreatorUpdate = z.input<typeof CreatorUpdateSchema>;

export async function updateCreator(
  db: Db,
  storeId: string,
  creatorId: string,
  input: CreatorUpdate,
): Promise<Creator> {
  const data = CreatorUpdateSchema.parse(input);
  const { count } = await db.creator.updateMany({
    where: { id: creatorId, storeId },
    data: { name: data.name, email: data.email, emailHash: data.email ? hashEmail(data.email) : null },
  });
  if (count === 0) throw new AppError("not_found", `creator ${creatorId} not found`);
  return requireCreator(db, storeId, creatorId);
}

/** Archiving stops the creator's links from tracking (the redirect still forwards visitors); it can be undone. */
export async function setCreatorStatus(db: Db, storeId: string, creatorId: string, status: Creator["status"]) {
  const { count } = await db.creator.updateMany({ where: { id: creatorId, storeId }, data: { status } });
  if (count === 0) throw new AppError("not_found", `creator ${creatorId} not found`);
}

/** Sets (or, with null, removes) the creator's own commission for one goal of one campaign. */
export async function setCommissionOverride(
  db: Db,
  storeId: string,
  creatorId: string,
  campaignId: string,
  goal: Goal,
  rule: CommissionRule | null,
): Promise<Creator> {
  await requireCampaign(db, storeId, campaignId);
  const creator = await requireCreator(db, storeId, creatorId);
  const overrides: CommissionOverrides = structuredClone(creator.commissionOverrides);
  const forCampaign = { ...(Object.hasOwn(overrides, campaignId) ? overrides[campaignId] : {}) };
  if (rule) forCampaign[goal] = CommissionRuleSchema.parse(rule);
  else delete forCampaign[goal];
  if (Object.keys(forCampaign).length > 0) overrides[campaignId] = forCampaign;
  else delete overrides[campaignId];
  await db.creator.updateMany({
    where: { id: creatorId, storeId },
    data: { commissionOverrides: JSON.stringify(CommissionOverridesSchema.parse(overrides)) },
  });
  return requireCreator(db, storeId, creatorId);
}
