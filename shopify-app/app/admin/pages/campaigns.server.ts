import { type ActionFunctionArgs, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import {
  campaignFormSchema,
  campaignFormValues,
  commissionPlanFormSchema,
  commissionPlanFormValues,
  dayRangeFrom,
  formValues,
  overrideFormSchema,
  overview,
  parseForm,
} from "@trailmark/core/admin";
import { syncDiscountCodes } from "@trailmark/core/applications";
import {
  CAMPAIGN_STATUSES,
  CampaignInputSchema,
  createCampaign,
  listCampaigns,
  requireCampaign,
  setCampaignStatus,
  updateCampaign,
  updateCommissionPlan,
} from "@trailmark/core/campaigns";
import { listCreators, setCommissionOverride } from "@trailmark/core/creators";
import { listLinks } from "@trailmark/core/links";
import { getPayoutSettings } from "@trailmark/core/payouts";
import { z } from "zod";
import {
  attempt,
  done,
  fail,
  handleErrors,
  type RequireStoreContext,
  readForm,
  type StoreContext,
  shellOf,
} from "../store-context.server.ts";
import { discountGatewayFor } from "../store-discounts.server.ts";

// Campaigns: the list (with pause, resume and end), a new campaign, and one campaign's settings with its
// per-creator commission overrides.

const StatusFormSchema = z.looseObject({
  campaignId: z.string().min(1),
  status: z.enum(CAMPAIGN_STATUSES, { error: "choose active, paused or ended" }),
});

async function changeStatus(ctx: StoreContext, values: Record<string, unknown>) {
  const parsed = StatusFormSchema.safeParse(values);
  if (!parsed.success) return fail("status", { form: "choose active, paused or ended" });
  return attempt("status", async () => {
    await setCampaignStatus(ctx.db, ctx.storeId, parsed.data.campaignId, parsed.data.status);
    // Creators' codes in the shop end with the campaign (and come back if it is started again).
    await syncDiscountCodes(ctx.db, discountGatewayFor(ctx), ctx.storeId, { campaignId: parsed.data.campaignId });
    const verb = { active: "resumed", paused: "paused", ended: "ended" }[parsed.data.status];
    return done("status", `Campaign ${verb}.`);
  });
}

export async function campaignsLoader({ request }: LoaderFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  return handleErrors(async () => {
    const [campaigns, links] = await Promise.all([listCampaigns(ctx.db, ctx.storeId), listLinks(ctx.db, ctx.storeId)]);
    return {
      shell: shellOf(ctx),
      campaigns: campaigns.map((c) => ({
        ...c,
        links: links.filter((l) => l.campaignId === c.id).length,
      })),
    };
  });
}

export async function campaignsAction({ request }: ActionFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  const { form, intent } = await readForm(request);
  if (intent === "status") return changeStatus(ctx, formValues(form));
  return fail(intent, { form: "unknown action" });
}

const DEFAULTS = CampaignInputSchema.parse({ name: "New campaign" });

export async function newCampaignLoader({ request }: LoaderFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  // The form starts from the store's default holding period (payout settings).
  const { holdingDays } = await getPayoutSettings(ctx.db, ctx.storeId);
  return {
    shell: shellOf(ctx),
    values: { ...campaignFormValues({ ...DEFAULTS, holdingDays }, ctx.store.currency), name: "" },
  };
}

export async function newCampaignAction({ request }: ActionFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  const { form } = await readForm(request);
  const parsed = parseForm(campaignFormSchema(ctx.store.currency), formValues(form));
  if (!parsed.ok) return fail("create", parsed.errors);
  return attempt(
    "create",
    async () => {
      const campaign = await createCampaign(ctx.db, ctx.storeId, parsed.data);
      return redirect(`${ctx.base}/campaigns/${campaign.id}?created=1`);
    },
    "name",
  );
}

export async function campaignLoader(
  { request, params }: LoaderFunctionArgs,
  requireStoreContext: RequireStoreContext,
) {
  const ctx = await requireStoreContext(request);
  return handleErrors(async () => {
    const campaign = await requireCampaign(ctx.db, ctx.storeId, params.id ?? "");
    const range = dayRangeFrom(new URL(request.url).searchParams);
    const [creators, links, performance] = await Promise.all([
      listCreators(ctx.db, ctx.storeId),
      listLinks(ctx.db, ctx.storeId, { campaignId: campaign.id }),
      overview(ctx.db, ctx.storeId, { from: range.from, to: range.to, campaignId: campaign.id }),
    ]);
    const overrides = creators.flatMap((creator) =>
      Object.entries(
        Object.hasOwn(creator.commissionOverrides, campaign.id) ? creator.commissionOverrides[campaign.id]! : {},
      ).map(([goal, rule]) => ({ creatorId: creator.id, creatorName: creator.name, goal, rule: rule! })),
    );
    return {
      shell: shellOf(ctx),
      campaign,
      values: campaignFormValues(campaign, campaign.currency),
      planValues: commissionPlanFormValues(campaign.commissionPlan, campaign.currency),
      creators: creators.filter((c) => c.status === "active").map((c) => ({ id: c.id, name: c.name })),
      overrides,
      links: links.map((l) => ({
        id: l.id,
        code: l.code,
        status: l.status,
        creatorName: creators.find((c) => c.id === l.creatorId)?.name ?? l.creatorId,
        creatorId: l.creatorId,
      })),
      created: new URL(request.url).searchParams.get("created") === "1",
      range: { fromDay: range.fromDay, toDay: range.toDay },
      /** The campaign's results in the range, as the Overview counts them for this campaign. */
      performance,
    };
  });
}

export async function campaignAction(
  { request, params }: ActionFunctionArgs,
  requireStoreContext: RequireStoreContext,
) {
  const ctx = await requireStoreContext(request);
  const { form, intent } = await readForm(request);
  const values = formValues(form);
  const campaign = await handleErrors(() => requireCampaign(ctx.db, ctx.storeId, params.id ?? ""));
  if (intent === "status") return changeStatus(ctx, { ...values, campaignId: campaign.id });
  if (intent === "update") {
    const parsed = parseForm(campaignFormSchema(campaign.currency), values);
    if (!parsed.ok) return fail("update", parsed.errors);
    return attempt(
      "update",
      async () => {
        await updateCampaign(ctx.db, ctx.storeId, campaign.id, parsed.data);
        return done("update", "Campaign saved. Changes apply to conversions from now on.");
      },
      "name",
    );
  }
  if (intent === "plan") {
    const parsed = parseForm(commissionPlanFormSchema(campaign.currency), values);
    if (!parsed.ok) return fail("plan", parsed.errors);
    return attempt("plan", async () => {
      await updateCommissionPlan(ctx.db, ctx.storeId, campaign.id, parsed.data);
      return done("plan", "Commission rules saved. They apply to conversions from now on.");
    });
  }
  if (intent === "override") {
    const parsed = parseForm(overrideFormSchema(campaign.currency), values);
    if (!parsed.ok) return fail("override", parsed.errors);
    return attempt("override", async () => {
      const { creatorId, goal, rule } = parsed.data;
      await setCommissionOverride(ctx.db, ctx.storeId, creatorId, campaign.id, goal, rule);
      return done("override", rule ? "Override saved." : "Override removed.");
    });
  }
  return fail(intent, { form: "unknown action" });
}
