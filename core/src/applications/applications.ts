import { getCampaign } from "../campaigns/campaign-store.ts";
import type { Db } from "../db/client.ts";
import { normalizeDiscountCode, trackingUrl } from "../links/link-store.ts";
import type { MailData } from "../mail/mail-kinds.ts";
import { enqueueCreatorMail } from "../mail/outbox.ts";
import { USABLE_CODE_STATUSES } from "../portal/portal-data.ts";
import { isUniqueViolation, parseJson } from "../shared/db-errors.ts";
import { AppError } from "../shared/errors.ts";
import { hashEmail } from "../shared/hashing.ts";
import { newId, randomToken } from "../shared/ids.ts";
import { requireStore } from "../stores/store.ts";
import {
  type ApplicationInput,
  ApplicationInputSchema,
  type ApplicationStatus,
  type InvitationInput,
  InvitationInputSchema,
  RejectionInputSchema,
} from "./forms.ts";
import { getCampaignOnboarding, getProgramTerms } from "./program-settings.ts";
import { type DiscountGatewayFor, pushDiscountCode } from "./store-discounts.ts";

// Creator applications: a visitor applies on the store's public page, the merchant approves (creator, tracking
// link, discount code, welcome mail) or rejects (with a reason mailed), or invites a creator directly (an
// application approved at once). Approval is one transaction that claims the application with a guarded
// update, so two merchants pressing Approve together make one creator and one mail; the mail is enqueued in
// that transaction (mail/outbox.ts: it exists if and only if the decision committed), the shop's codes come
// after the commit.

export interface OnboardingDeps {
  db: Db;
  /** The public base URL: tracking URLs in the mails start with it. */
  publicUrl: string;
  /** Creates codes in the shop; without it codes are mappings only (the merchant creates them by hand). */
  discounts?: DiscountGatewayFor;
  now?: () => Date;
}

export interface Application {
  id: string;
  storeId: string;
  campaignId: string | null;
  source: "form" | "invitation";
  name: string;
  email: string;
  profileUrls: string[];
  audienceSize: number | null;
  country: string | null;
  note: string | null;
  termsVersion: number | null;
  consentedAt: Date | null;
  status: ApplicationStatus;
  reason: string | null;
  creatorId: string | null;
  decidedAt: Date | null;
  createdAt: Date;
}

type Row = NonNullable<Awaited<ReturnType<Db["creatorApplication"]["findUnique"]>>>;
type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

function toApplication(row: Row): Application {
  return {
    id: row.id,
    storeId: row.storeId,
    campaignId: row.campaignId,
    source: row.source as Application["source"],
    name: row.name,
    email: row.email,
    profileUrls: parseJson<string[]>(row.profileUrls, []),
    audienceSize: row.audienceSize,
    country: row.country,
    note: row.note,
    termsVersion: row.termsVersion,
    consentedAt: row.consentedAt,
    status: row.status as ApplicationStatus,
    reason: row.reason,
    creatorId: row.creatorId,
    decidedAt: row.decidedAt,
    createdAt: row.createdAt,
  };
}

export async function getApplication(db: Db, storeId: string, id: string): Promise<Application | null> {
  const row = await db.creatorApplication.findFirst({ where: { id, storeId } });
  return row ? toApplication(row) : null;
}

export async function listApplications(
  db: Db,
  storeId: string,
  filter: { status?: ApplicationStatus } = {},
): Promise<Application[]> {
  const rows = await db.creatorApplication.findMany({
    where: { storeId, ...filter },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take: 500,
  });
  return rows.map(toApplication);
}

export async function countApplications(db: Db, storeId: string): Promise<Record<ApplicationStatus, number>> {
  const groups = await db.creatorApplication.groupBy({ by: ["status"], where: { storeId }, _count: { _all: true } });
  const out: Record<ApplicationStatus, number> = { new: 0, approved: 0, rejected: 0 };
  for (const g of groups) out[g.status as ApplicationStatus] = g._count._all;
  return out;
}

export interface SubmitResult {
  application: Application;
  /** The campaign approves automatically: the application was approved (and the welcome mail enqueued). */
  approved: boolean;
}

/**
 * Records an application (the honeypot and the per-address limit are the page's: this is the use case).
 * A second open application from the same email to the same store is refused by the database.
 */
export async function submitApplication(
  deps: OnboardingDeps,
  storeId: string,
  input: ApplicationInput,
  options: { campaignId?: string | null } = {},
): Promise<SubmitResult> {
  const { db } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const data = ApplicationInputSchema.parse(input);
  await requireStore(db, storeId);
  const campaignId = options.campaignId ?? null;
  if (campaignId) {
    const campaign = await getCampaign(db, storeId, campaignId);
    if (!campaign || campaign.status === "ended")
      throw new AppError("not_found", "this campaign takes no applications");
  }
  const terms = await getProgramTerms(db, storeId);
  if (terms.termsVersion > 0) {
    if (!data.consent)
      throw new AppError("invalid", "accept the program terms to apply", [{ path: "consent", message: "required" }]);
    if (data.termsVersion !== terms.termsVersion)
      throw new AppError("conflict", "the program terms changed while you were applying: read them again", [
        { path: "consent", message: "terms changed" },
      ]);
  }
  let row: Row;
  try {
    row = await db.creatorApplication.create({
      data: {
        id: newId("ap"),
        storeId,
        campaignId,
        source: "form",
        name: data.name,
        email: data.email,
        profileUrls: JSON.stringify(data.profileUrls),
        audienceSize: data.audienceSize,
        country: data.country,
        note: data.note || null,
        termsVersion: terms.termsVersion > 0 ? terms.termsVersion : null,
        consentedAt: terms.termsVersion > 0 ? now : null,
        status: "new",
        openKey: data.email,
        createdAt: now,
      },
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError("conflict", "an application from this email address is already waiting for review", [
        { path: "email", message: "already applied" },
      ]);
    throw error;
  }
  if (campaignId && (await getCampaignOnboarding(db, storeId, campaignId)).autoApprove) {
    const { application } = await approveApplication(deps, storeId, row.id);
    return { application, approved: true };
  }
  return { application: toApplication(row), approved: false };
}

export interface ApprovalResult {
  application: Application;
  creatorId: string;
  /** False when the application was already approved (by this call's twin or earlier): nothing was done. */
  fresh: boolean;
  /** Why a shop code failed, for the merchant; the approval (and its mail) stands either way. */
  problems: string[];
}

/**
 * Approves a new application: the creator (or the store's existing creator with that email), a tracking link
 * and a discount code per campaign and the mail telling the creator, then the shop's codes. Approving an approved
 * application returns it unchanged; a rejected one is a conflict.
 */
export async function approveApplication(
  deps: OnboardingDeps,
  storeId: string,
  applicationId: string,
  options: { campaignIds?: string[] } = {},
): Promise<ApprovalResult> {
  const { db } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const store = await requireStore(db, storeId);
  // Without a shop API (a custom site, WooCommerce without keys) a code is a mapping the merchant creates by
  // hand: usable at once ("none"), and the mail gives it. With one, it is pending until the shop has it.
  const gateway = (await deps.discounts?.(store)) ?? null;
  const codeStatus = gateway ? "pending" : "none";
  // A code or link code taken by a concurrent approval of someone else is a unique violation: try again.
  const outcome = await withRetryOnConflict(() =>
    db.$transaction(async (tx) => {
      // The guarded update is the claim: of two approvals racing, one changes the row and the other sees it done.
      const claimed = await tx.creatorApplication.updateMany({
        where: { id: applicationId, storeId, status: "new" },
        data: { status: "approved", openKey: null, decidedAt: now },
      });
      const row = await tx.creatorApplication.findFirst({ where: { id: applicationId, storeId } });
      if (!row) throw new AppError("not_found", `application ${applicationId} not found`);
      if (claimed.count === 0) {
        if (row.status === "approved" && row.creatorId) return { row, fresh: false, codes: [] as string[] };
        throw new AppError("conflict", "this application was rejected; the applicant may apply again");
      }
      const campaignIds = await campaignsFor(tx, storeId, row.campaignId, options.campaignIds);
      const creator = await creatorFor(tx, storeId, row.name, row.email);
      const creatorId = creator.id;
      const codes: string[] = [];
      for (const campaignId of campaignIds) {
        await ensureLink(tx, storeId, store.domain, campaignId, creatorId);
        const code = await ensureDiscountCode(tx, storeId, campaignId, creatorId, row.name, codeStatus);
        if (code) codes.push(code);
      }
      const updated = await tx.creatorApplication.update({ where: { id: row.id }, data: { creatorId } });
      // A new creator is welcomed; one the store already had (same email) learns of the new links only.
      const kind = creator.created ? "welcome" : "application_approved";
      await enqueueCreatorMail(
        tx,
        {
          storeId,
          creatorId,
          kind,
          data: await onboardingMail(tx, deps.publicUrl, storeId, creatorId, campaignIds),
          dedupKey: `${kind}:${row.id}`,
        },
        now,
      );
      return { row: updated, fresh: true, codes };
    }),
  );
  const application = toApplication(outcome.row);
  const creatorId = application.creatorId as string;
  const problems: string[] = [];
  if (!outcome.fresh) return { application, creatorId, fresh: false, problems };
  for (const id of outcome.codes) {
    const pushed = await pushDiscountCode(db, () => gateway, storeId, id);
    if (pushed.error) problems.push(pushed.error);
  }
  return { application, creatorId, fresh: true, problems };
}

/** Rejects a new application and enqueues the mail with the reason; rejecting a rejected one changes nothing. */
export async function rejectApplication(
  deps: OnboardingDeps,
  storeId: string,
  applicationId: string,
  input: { reason: string },
): Promise<Application> {
  const { db } = deps;
  const { reason } = RejectionInputSchema.parse(input);
  const now = (deps.now ?? (() => new Date()))();
  await requireStore(db, storeId);
  const { count, application } = await db.$transaction(async (tx) => {
    const { count } = await tx.creatorApplication.updateMany({
      where: { id: applicationId, storeId, status: "new" },
      data: { status: "rejected", openKey: null, reason, decidedAt: now },
    });
    // The applicant is no creator: the mail names the application, whose address the worker reads.
    if (count === 1)
      await enqueueCreatorMail(
        tx,
        {
          storeId,
          creatorId: applicationId,
          kind: "application_rejected",
          data: { reason },
          dedupKey: `application_rejected:${applicationId}`,
        },
        now,
      );
    return { count, application: await tx.creatorApplication.findFirst({ where: { id: applicationId, storeId } }) };
  });
  if (!application) throw new AppError("not_found", `application ${applicationId} not found`);
  if (count === 0 && application.status !== "rejected")
    throw new AppError("conflict", "this application is already approved");
  return toApplication(application);
}

/**
 * The merchant invites a creator by email: an application approved at once. An application already waiting
 * from that address is approved instead of a second one being made.
 */
export async function inviteCreator(deps: OnboardingDeps, storeId: string, input: InvitationInput) {
  const { db } = deps;
  const data = InvitationInputSchema.parse(input);
  const now = (deps.now ?? (() => new Date()))();
  const campaign = await getCampaign(db, storeId, data.campaignId);
  if (!campaign) throw new AppError("not_found", `campaign ${data.campaignId} not found`);
  // The address may have an open application (approved instead), or one decided between our insert and our
  // look-up (its slot is free again: insert once more).
  for (let attempt = 1; ; attempt++) {
    let created: string | null = null;
    try {
      created = (
        await db.creatorApplication.create({
          data: {
            id: newId("ap"),
            storeId,
            campaignId: campaign.id,
            source: "invitation",
            name: data.name,
            email: data.email,
            status: "new",
            openKey: data.email,
            createdAt: now,
          },
        })
      ).id;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    if (created) return approveApplication(deps, storeId, created, { campaignIds: [campaign.id] });
    const waiting = await db.creatorApplication.findFirst({ where: { storeId, openKey: data.email } });
    if (waiting) return approveApplication(deps, storeId, waiting.id, { campaignIds: [campaign.id] });
    if (attempt >= 3) throw new AppError("conflict", "an application from this address was just decided: try again");
  }
}

async function withRetryOnConflict<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= 3 || !isUniqueViolation(error)) throw error;
    }
  }
}

async function campaignsFor(tx: Tx, storeId: string, own: string | null, chosen: string[] | undefined) {
  const ids = chosen && chosen.length > 0 ? chosen : own ? [own] : null;
  const campaigns = await tx.campaign.findMany({
    where: ids ? { storeId, id: { in: ids } } : { storeId, status: "active" },
    select: { id: true },
    orderBy: { createdAt: "asc" },
  });
  if (ids && campaigns.length !== new Set(ids).size) throw new AppError("not_found", "a chosen campaign was not found");
  if (campaigns.length === 0) throw new AppError("invalid", "create a campaign first: the creator needs a link to one");
  return campaigns.map((c) => c.id);
}

/** The store's creator with this email (oldest first), or a new one. */
async function creatorFor(
  tx: Tx,
  storeId: string,
  name: string,
  email: string,
): Promise<{ id: string; created: boolean }> {
  const emailHash = hashEmail(email);
  const existing = await tx.creator.findFirst({
    where: { storeId, emailHash },
    orderBy: { createdAt: "asc" },
    select: { id: true, status: true },
  });
  if (existing) {
    if (existing.status !== "active")
      await tx.creator.update({ where: { id: existing.id }, data: { status: "active" } });
    return { id: existing.id, created: false };
  }
  const id = newId("cr");
  await tx.creator.create({ data: { id, storeId, name, email, emailHash } });
  return { id, created: true };
}

async function ensureLink(tx: Tx, storeId: string, domain: string, campaignId: string, creatorId: string) {
  const existing = await tx.trackingLink.findFirst({ where: { storeId, campaignId, creatorId }, select: { id: true } });
  if (existing) return;
  await tx.trackingLink.create({
    data: {
      id: newId("ln"),
      storeId,
      campaignId,
      creatorId,
      code: randomToken(8),
      destinationUrl: `https://${domain}/`,
    },
  });
}

/** The creator's code for the campaign, made when the campaign gives customers a discount; its row id. */
async function ensureDiscountCode(
  tx: Tx,
  storeId: string,
  campaignId: string,
  creatorId: string,
  name: string,
  storeStatus: "pending" | "none",
): Promise<string | null> {
  const existing = await tx.discountCode.findFirst({ where: { storeId, campaignId, creatorId }, select: { id: true } });
  if (existing) return existing.id;
  const onboarding = await getCampaignOnboarding(tx as unknown as Db, storeId, campaignId);
  if (onboarding.discountType === "none") return null;
  const suffix = onboarding.discountType === "percentage" ? String(Math.floor(onboarding.discountValue / 100)) : "";
  const base = codeBase(name);
  for (let attempt = 0; attempt < 20; attempt++) {
    const code = normalizeDiscountCode(
      attempt === 0 ? `${base}${suffix}` : `${base}${suffix}-${randomDigits(attempt)}`,
    );
    const taken = await tx.discountCode.findFirst({ where: { storeId, code }, select: { id: true } });
    if (taken) continue;
    const id = newId("dc");
    await tx.discountCode.create({ data: { id, storeId, campaignId, creatorId, code, storeStatus } });
    return id;
  }
  throw new AppError("conflict", "could not find a free discount code for this creator");
}

/** Letters and digits of the creator's name, upper-cased: "Ada Lovelace" gives ADALOVELACE. */
export function codeBase(name: string): string {
  const letters = name
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9]/g, "")
    .toUpperCase()
    .slice(0, 12);
  return letters.length >= 2 ? letters : `CREATOR${letters}`;
}

function randomDigits(attempt: number): string {
  const digits = attempt < 10 ? 2 : 4;
  return String(Math.floor(Math.random() * 10 ** digits)).padStart(digits, "0");
}

/**
 * What the approval mail lists: the creator's link and usable code for each approved campaign, as committed.
 * A code the approval just made is pending: it is created in the shop after the commit, and that call may fail
 * (the code is taken there) or wait for the merchant (a missing scope). The mail is still enqueued here, in the
 * decision's transaction, so that a crash between the commit and the shop never loses it; rather than give a code
 * that may never work, it says the code is being created and appears in the portal (which shows only codes that
 * work) once it does. Failed or deactivated codes are left out.
 */
async function onboardingMail(
  tx: Tx,
  publicUrl: string,
  storeId: string,
  creatorId: string,
  campaignIds: string[],
): Promise<MailData<"welcome">> {
  const where = { storeId, creatorId, campaignId: { in: campaignIds } };
  const links = await tx.trackingLink.findMany({ where, select: { campaignId: true, code: true } });
  const codes = await tx.discountCode.findMany({ where, select: { campaignId: true, code: true, storeStatus: true } });
  const campaigns = await tx.campaign.findMany({
    where: { storeId, id: { in: campaignIds } },
    select: { id: true, name: true },
  });
  const base = publicUrl.replace(/\/+$/, "");
  return {
    links: campaignIds.flatMap((campaignId) => {
      const link = links.find((l) => l.campaignId === campaignId);
      if (!link) return [];
      const code = codes.find((c) => c.campaignId === campaignId);
      const usable = code && (USABLE_CODE_STATUSES as readonly string[]).includes(code.storeStatus);
      return [
        {
          campaign: campaigns.find((c) => c.id === campaignId)?.name ?? "",
          url: trackingUrl(base, link.code),
          code: usable ? code.code : null,
          codePending: code?.storeStatus === "pending",
        },
      ];
    }),
  };
}
