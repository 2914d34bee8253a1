import { z } from "zod";
import { requireCreator } from "../creators/creator.ts";
import type { Db } from "../db/client.ts";
import { isUniqueViolation, parseJson } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import { requireStore } from "../stores/store.ts";
import { type PayoutMethod, PayoutMethodSchema } from "./provider.ts";
import { DEFAULT_PAYOUT_DAY, type PayoutSchedule, PayoutScheduleSchema, payoutDayProblem } from "./schedule.ts";
import type { StripeAccountStatus, StripeConnectProvider } from "./stripe-provider.ts";

// A store's payout settings and its creators' payout methods.

export interface PayoutSettings {
  storeId: string;
  schedule: PayoutSchedule;
  /** Weekly: 1 = Monday … 7 = Sunday; monthly: the day of the month, 1-28 (schedule.ts). */
  payoutDay: number;
  autoApprove: boolean;
  /** The method for creators who have not chosen one. */
  provider: PayoutMethod;
  /** The holding period a new campaign takes when it does not set its own. */
  holdingDays: number;
}

/** The store's default holding period before anything is saved: the campaigns' own default. */
export const DEFAULT_STORE_HOLDING_DAYS = 30;

export const PayoutSettingsInputSchema = z
  .object({
    schedule: PayoutScheduleSchema.optional(),
    payoutDay: z.number().int().min(1).max(28).optional(),
    autoApprove: z.boolean().optional(),
    provider: PayoutMethodSchema.optional(),
    holdingDays: z.number().int().min(0).max(365).optional(),
  })
  .strict();
export type PayoutSettingsInput = z.input<typeof PayoutSettingsInputSchema>;

type Client = Pick<Db, "storePayoutSettings">;

export async function getPayoutSettings(db: Client, storeId: string): Promise<PayoutSettings> {
  const row = await db.storePayoutSettings.findUnique({ where: { storeId } });
  return {
    storeId,
    schedule: PayoutScheduleSchema.catch("manual").parse(row?.schedule ?? "manual"),
    payoutDay: row?.payoutDay ?? DEFAULT_PAYOUT_DAY,
    autoApprove: row?.autoApprove ?? false,
    provider: PayoutMethodSchema.catch("manual").parse(row?.provider ?? "manual"),
    holdingDays: row?.holdingDays ?? DEFAULT_STORE_HOLDING_DAYS,
  };
}

export async function updatePayoutSettings(
  db: Db,
  storeId: string,
  input: PayoutSettingsInput,
): Promise<PayoutSettings> {
  const data = PayoutSettingsInputSchema.parse(input);
  await requireStore(db, storeId);
  // The day must fit the schedule it ends up with: a weekly store's day is a weekday.
  const current = await getPayoutSettings(db, storeId);
  const schedule = data.schedule ?? current.schedule;
  const day =
    data.payoutDay ?? (data.schedule && data.schedule !== current.schedule ? DEFAULT_PAYOUT_DAY : current.payoutDay);
  const problem = payoutDayProblem(schedule, day);
  if (problem) throw new AppError("invalid", `payout day: ${problem}`, [{ path: "payoutDay", message: problem }]);
  if (data.payoutDay === undefined && day !== current.payoutDay) data.payoutDay = day;
  await db.storePayoutSettings.upsert({ where: { storeId }, create: { storeId, ...data }, update: data });
  return getPayoutSettings(db, storeId);
}

export const CreatorPayoutMethodSchema = z.discriminatedUnion("method", [
  z.object({ method: z.literal("stripe") }).strict(),
  z.object({ method: z.literal("paypal"), paypalEmail: z.email().max(320) }).strict(),
  z
    .object({
      method: z.literal("manual"),
      details: z.record(z.string().min(1).max(100), z.string().max(500)).default({}),
    })
    .strict(),
]);
export type CreatorPayoutMethodInput = z.input<typeof CreatorPayoutMethodSchema>;

export interface CreatorPayoutAccount {
  storeId: string;
  creatorId: string;
  method: PayoutMethod;
  stripeAccountId: string | null;
  stripeReady: boolean;
  paypalEmail: string | null;
  details: Record<string, string>;
}

type AccountRow = NonNullable<Awaited<ReturnType<Db["creatorPayoutAccount"]["findUnique"]>>>;

export function toCreatorPayoutAccount(row: AccountRow): CreatorPayoutAccount {
  return {
    storeId: row.storeId,
    creatorId: row.creatorId,
    method: PayoutMethodSchema.catch("manual").parse(row.method),
    stripeAccountId: row.stripeAccountId,
    stripeReady: row.stripeReady,
    paypalEmail: row.paypalEmail,
    details: z.record(z.string(), z.string()).catch({}).parse(parseJson(row.details, {})),
  };
}

export async function getCreatorPayoutAccount(
  db: Pick<Db, "creatorPayoutAccount">,
  storeId: string,
  creatorId: string,
): Promise<CreatorPayoutAccount | null> {
  const row = await db.creatorPayoutAccount.findUnique({ where: { storeId_creatorId: { storeId, creatorId } } });
  return row ? toCreatorPayoutAccount(row) : null;
}

async function upsertAccount(
  db: Db,
  storeId: string,
  creatorId: string,
  data: Partial<Omit<AccountRow, "id" | "storeId" | "creatorId" | "createdAt" | "updatedAt">>,
): Promise<CreatorPayoutAccount> {
  const where = { storeId_creatorId: { storeId, creatorId } };
  try {
    const row = await db.creatorPayoutAccount.upsert({
      where,
      create: { id: newId("cpa"), storeId, creatorId, method: data.method ?? "manual", ...data },
      update: data,
    });
    return toCreatorPayoutAccount(row);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Two first writes raced: the other created the row, update it.
    return toCreatorPayoutAccount(await db.creatorPayoutAccount.update({ where, data }));
  }
}

/** "iban=DE89…; name=Ada" (or one pair a line) as the details of a manual method; invalid when a part has no key. */
export function parseManualDetails(text: string): Record<string, string> {
  const details: Record<string, string> = {};
  for (const part of text.split(/[;\n]/)) {
    if (!part.trim()) continue;
    const eq = part.indexOf("=");
    if (eq <= 0)
      throw new AppError("invalid", `payment details must look like "iban=DE89…; name=Ada", got "${part.trim()}"`);
    details[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return details;
}

/** Chooses how a creator is paid by this store. Stripe keeps any connected account already onboarded. */
export async function setCreatorPayoutMethod(
  db: Db,
  storeId: string,
  creatorId: string,
  input: CreatorPayoutMethodInput,
): Promise<CreatorPayoutAccount> {
  const data = CreatorPayoutMethodSchema.parse(input);
  await requireCreator(db, storeId, creatorId);
  if (data.method === "paypal")
    return upsertAccount(db, storeId, creatorId, { method: "paypal", paypalEmail: data.paypalEmail });
  if (data.method === "manual") {
    return upsertAccount(db, storeId, creatorId, { method: "manual", details: JSON.stringify(data.details) });
  }
  return upsertAccount(db, storeId, creatorId, { method: "stripe" });
}

/**
 * Stripe Connect onboarding: creates the creator's connected account the first time (the idempotency key
 * is per store and creator, so a retry never makes a second account), stores it, makes the creator's
 * method Stripe, and returns a single-use onboarding URL to redirect the creator to.
 */
export async function startStripeOnboarding(
  db: Db,
  storeId: string,
  creatorId: string,
  stripe: Pick<StripeConnectProvider, "createConnectedAccount" | "createOnboardingLink">,
  urls: { refreshUrl: string; returnUrl: string },
): Promise<{ accountId: string; url: string; expiresAt: Date }> {
  const creator = await requireCreator(db, storeId, creatorId);
  let account = await getCreatorPayoutAccount(db, storeId, creatorId);
  let accountId = account?.stripeAccountId ?? null;
  if (!accountId) {
    accountId = await stripe.createConnectedAccount({
      email: creator.email,
      idempotencyKey: `tm_acct_${storeId}_${creatorId}`,
      metadata: { store_id: storeId, creator_id: creatorId },
    });
    account = await upsertAccount(db, storeId, creatorId, { method: "stripe", stripeAccountId: accountId });
  } else if (account?.method !== "stripe") {
    account = await upsertAccount(db, storeId, creatorId, { method: "stripe" });
  }
  const link = await stripe.createOnboardingLink(accountId, urls);
  return { accountId, ...link };
}

/** Asks Stripe whether the creator's connected account can receive transfers yet, and stores the answer. */
export async function refreshStripeAccount(
  db: Db,
  storeId: string,
  creatorId: string,
  stripe: Pick<StripeConnectProvider, "accountCanReceiveTransfers">,
): Promise<CreatorPayoutAccount> {
  const account = await getCreatorPayoutAccount(db, storeId, creatorId);
  if (!account?.stripeAccountId) throw new AppError("not_found", `creator ${creatorId} has no Stripe account`);
  const ready = await stripe.accountCanReceiveTransfers(account.stripeAccountId);
  return upsertAccount(db, storeId, creatorId, { stripeReady: ready });
}

/**
 * The creator's connected account as Stripe sees it now (charges and payouts enabled, what is still due);
 * whether it can receive transfers is stored for the payout runs. Null when the creator has no account yet.
 */
export async function stripeAccountStatus(
  db: Db,
  storeId: string,
  creatorId: string,
  stripe: Pick<StripeConnectProvider, "accountStatus">,
): Promise<StripeAccountStatus | null> {
  const account = await getCreatorPayoutAccount(db, storeId, creatorId);
  if (!account?.stripeAccountId) return null;
  const status = await stripe.accountStatus(account.stripeAccountId);
  if (status.transfersActive !== account.stripeReady)
    await upsertAccount(db, storeId, creatorId, { stripeReady: status.transfersActive });
  return status;
}
