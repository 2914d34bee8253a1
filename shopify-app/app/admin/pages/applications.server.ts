import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { formValues } from "@trailmark/core/admin";
import {
  APPLICATION_STATUSES,
  type ApplicationStatus,
  approveApplication,
  countApplications,
  InvitationInputSchema,
  inviteCreator,
  listApplications,
  listCampaignOnboarding,
  type OnboardingDeps,
  RejectionInputSchema,
  rejectApplication,
  setCampaignOnboarding,
} from "@trailmark/core/applications";
import { listCampaigns } from "@trailmark/core/campaigns";
import { toMinorUnits } from "@trailmark/core/shared";
import { z } from "zod";
import {
  attempt,
  done,
  fail,
  handleErrors,
  publicUrl,
  type RequireStoreContext,
  readForm,
  type StoreContext,
  shellOf,
} from "../store-context.server.ts";
import { discountGatewayFor, lacksDiscountScope } from "../store-discounts.server.ts";

// Applications: creators' applications from the public page (new, approved, rejected) with approve and reject,
// an invitation by email, and per campaign whether applications are approved without review and the customer
// discount each creator's code gives. The program terms and the page's address are in Settings.

export function onboardingDeps(ctx: StoreContext): OnboardingDeps {
  return { db: ctx.db, publicUrl: publicUrl(), discounts: discountGatewayFor(ctx) };
}

export async function applicationsLoader({ request }: LoaderFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  const wanted = new URL(request.url).searchParams.get("status");
  const status: ApplicationStatus = (APPLICATION_STATUSES as readonly string[]).includes(wanted ?? "")
    ? (wanted as ApplicationStatus)
    : "new";
  return handleErrors(async () => {
    const [applications, counts, campaigns, onboarding, missingScope] = await Promise.all([
      listApplications(ctx.db, ctx.storeId, { status }),
      countApplications(ctx.db, ctx.storeId),
      listCampaigns(ctx.db, ctx.storeId),
      listCampaignOnboarding(ctx.db, ctx.storeId),
      lacksDiscountScope(ctx.db, ctx.store),
    ]);
    const names = new Map(campaigns.map((c) => [c.id, c.name]));
    return {
      shell: shellOf(ctx),
      status,
      counts,
      missingDiscountScope: missingScope,
      applyUrl: ctx.store.handle ? `${publicUrl()}/apply/${ctx.store.handle}` : null,
      applications: applications.map((a) => ({
        id: a.id,
        name: a.name,
        email: a.email,
        source: a.source,
        campaign: a.campaignId ? (names.get(a.campaignId) ?? "") : null,
        campaignId: a.campaignId,
        profileUrls: a.profileUrls,
        audienceSize: a.audienceSize,
        country: a.country,
        note: a.note,
        reason: a.reason,
        creatorId: a.creatorId,
        createdAt: a.createdAt.toISOString(),
        decidedAt: a.decidedAt?.toISOString() ?? null,
      })),
      campaigns: campaigns
        .filter((c) => c.status !== "ended")
        .map((c) => ({ id: c.id, name: c.name, currency: c.currency, onboarding: onboarding.get(c.id)! })),
    };
  });
}

const IdSchema = z.string().min(1).max(100);

/** The onboarding form's text (a percentage such as "12.5", money as decimal text) in core's units. */
function onboardingInput(values: Record<string, string | string[]>, currency: string) {
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string).trim() : "");
  const type = text("discountType");
  const value = text("discountValue");
  const errors: Record<string, string> = {};
  let discountValue = 0;
  if (type === "percentage") {
    const n = Number(value);
    if (!/^\d{1,3}(\.\d{1,2})?$/.test(value) || n <= 0 || n > 100)
      errors.discountValue = "a percentage between 0.01 and 100";
    else discountValue = Math.round(n * 100);
  } else if (type === "fixed_amount") {
    try {
      discountValue = toMinorUnits(value, currency);
      if (discountValue <= 0) errors.discountValue = "an amount above zero";
    } catch {
      errors.discountValue = `an amount in ${currency}, such as 5.00`;
    }
  } else if (type !== "none") errors.discountType = "choose a discount type";
  let minimumSubtotal = 0;
  if (text("minimumSubtotal") !== "") {
    try {
      minimumSubtotal = toMinorUnits(text("minimumSubtotal"), currency);
    } catch {
      errors.minimumSubtotal = `an amount in ${currency}, such as 30.00`;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false as const, errors };
  return {
    ok: true as const,
    data: {
      autoApprove: values.autoApprove === "1",
      discountType: type as "none" | "percentage" | "fixed_amount",
      discountValue,
      oncePerCustomer: values.oncePerCustomer === "1",
      minimumSubtotal,
    },
  };
}

function problemsText(problems: string[]): string {
  return problems.length > 0 ? ` But: ${problems.join("; ")}` : "";
}

export async function applicationsAction({ request }: ActionFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  const { form, intent } = await readForm(request);
  const values = formValues(form);
  switch (intent) {
    case "approve": {
      const id = IdSchema.safeParse(values.applicationId);
      if (!id.success) return fail(intent, { form: "no application given" });
      const chosen = form.getAll("campaignIds").filter((v): v is string => typeof v === "string" && v !== "");
      return attempt(intent, async () => {
        const result = await approveApplication(onboardingDeps(ctx), ctx.storeId, id.data, { campaignIds: chosen });
        const who = `${result.application.name} <${result.application.email}>`;
        return done(
          intent,
          result.fresh
            ? `Approved ${who}: creator, link and code made, welcome mail on its way.${problemsText(result.problems)}`
            : `${who} was already approved.`,
        );
      });
    }
    case "reject": {
      const id = IdSchema.safeParse(values.applicationId);
      if (!id.success) return fail(intent, { form: "no application given" });
      const parsed = RejectionInputSchema.safeParse({ reason: values.reason });
      // The reason's error belongs to this application's card only.
      if (!parsed.success) return fail(`reject:${id.data}`, { reason: parsed.error.issues[0]?.message ?? "say why" });
      return attempt(intent, async () => {
        const rejected = await rejectApplication(onboardingDeps(ctx), ctx.storeId, id.data, parsed.data);
        return done(intent, `Rejected ${rejected.name}; the reason was mailed to ${rejected.email}.`);
      });
    }
    case "invite": {
      const parsed = InvitationInputSchema.safeParse({
        name: values.name,
        email: values.email,
        campaignId: values.campaignId,
      });
      if (!parsed.success) {
        const errors: Record<string, string> = {};
        for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? "form")] ??= issue.message;
        return fail(intent, errors);
      }
      return attempt(intent, async () => {
        const result = await inviteCreator(onboardingDeps(ctx), ctx.storeId, parsed.data);
        return done(
          intent,
          `Invited ${parsed.data.email}: the welcome mail is on its way.${problemsText(result.problems)}`,
        );
      });
    }
    case "saveOnboarding": {
      const id = IdSchema.safeParse(values.campaignId);
      if (!id.success) return fail(intent, { form: "no campaign given" });
      const campaign = (await listCampaigns(ctx.db, ctx.storeId)).find((c) => c.id === id.data);
      if (!campaign) return fail(intent, { form: "campaign not found" }, 404);
      const parsed = onboardingInput(values, campaign.currency);
      if (!parsed.ok) return fail(`${intent}:${id.data}`, parsed.errors);
      return attempt(intent, async () => {
        await setCampaignOnboarding(ctx.db, ctx.storeId, id.data, parsed.data);
        return done(`${intent}:${id.data}`, `Saved the onboarding settings of ${campaign.name}.`);
      });
    }
    default:
      return fail(intent, { form: "unknown action" });
  }
}
