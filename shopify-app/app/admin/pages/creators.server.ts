import { type ActionFunctionArgs, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import {
  CreatorFormSchema,
  DiscountCodeFormSchema,
  dayRangeFrom,
  formValues,
  LinkFormSchema,
  overview,
  parseForm,
} from "@trailmark/core/admin";
import { pushDiscountCode, syncDiscountCodes } from "@trailmark/core/applications";
import { listCampaigns } from "@trailmark/core/campaigns";
import { createCreator, listCreators, requireCreator, setCreatorStatus, updateCreator } from "@trailmark/core/creators";
import {
  createDiscountCode,
  createLink,
  listDiscountCodes,
  listLinks,
  setLinkStatus,
  trackingUrl,
} from "@trailmark/core/links";
import {
  creatorPayoutSummaries,
  getCreatorPayoutAccount,
  PayoutProviderError,
  parseManualDetails,
  providersFromEnv,
  type StripeAccountStatus,
  type StripeConnectProvider,
  setCreatorPayoutMethod,
  startStripeOnboarding,
  stripeAccountStatus,
} from "@trailmark/core/payouts";
import { z } from "zod";
import { getEnv } from "../../env.server.ts";
import {
  attempt,
  done,
  fail,
  handleErrors,
  notFound,
  publicUrl,
  type RequireStoreContext,
  readForm,
  type StoreContext,
  shellOf,
} from "../store-context.server.ts";
import { discountGatewayFor } from "../store-discounts.server.ts";

const CodeIdSchema = z.looseObject({ codeId: z.string().min(1).max(100) });

// Creators: the list (create, archive), and one creator's details, discount codes and tracking links.

const IdSchema = z.looseObject({ creatorId: z.string().min(1).max(100) });

export async function creatorsLoader({ request }: LoaderFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  return handleErrors(async () => {
    const showArchived = new URL(request.url).searchParams.get("status") === "archived";
    const [creators, links, codes, payouts] = await Promise.all([
      listCreators(ctx.db, ctx.storeId),
      listLinks(ctx.db, ctx.storeId),
      listDiscountCodes(ctx.db, ctx.storeId),
      creatorPayoutSummaries(ctx.db, ctx.storeId),
    ]);
    const shown = creators.filter((c) => (showArchived ? c.status === "archived" : c.status === "active"));
    return {
      shell: shellOf(ctx),
      showArchived,
      archivedCount: creators.filter((c) => c.status === "archived").length,
      creators: shown.map((c) => ({
        id: c.id,
        name: c.name,
        email: c.email,
        status: c.status,
        links: links.filter((l) => l.creatorId === c.id).length,
        codes: codes.filter((d) => d.creatorId === c.id).map((d) => d.code),
        payouts: payouts[c.id] ?? null,
      })),
    };
  });
}

async function archive(ctx: Awaited<ReturnType<RequireStoreContext>>, creatorId: string, intent: string) {
  return attempt(intent, async () => {
    await setCreatorStatus(ctx.db, ctx.storeId, creatorId, intent === "archive" ? "archived" : "active");
    // The creator's codes in the shop follow: off while archived, on again when restored.
    await syncDiscountCodes(ctx.db, discountGatewayFor(ctx), ctx.storeId, { creatorId });
    return done(
      intent,
      intent === "archive"
        ? "Creator archived: their links no longer track and their codes are off in the shop."
        : "Creator restored.",
    );
  });
}

export async function creatorsAction({ request }: ActionFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  const { form, intent } = await readForm(request);
  const values = formValues(form);
  if (intent === "create") {
    const parsed = parseForm(CreatorFormSchema, values);
    if (!parsed.ok) return fail("create", parsed.errors);
    return attempt("create", async () => {
      const creator = await createCreator(ctx.db, ctx.storeId, parsed.data);
      return redirect(`${ctx.base}/creators/${creator.id}?created=1`);
    });
  }
  if (intent === "archive" || intent === "restore") {
    const parsed = IdSchema.safeParse(values);
    if (!parsed.success) return fail(intent, { form: "no creator given" });
    return archive(ctx, parsed.data.creatorId, intent);
  }
  return fail(intent, { form: "unknown action" });
}

function stripeProvider(): StripeConnectProvider | null {
  return (providersFromEnv().stripe as StripeConnectProvider | undefined) ?? null;
}

/**
 * Where Stripe sends the browser back after onboarding (return) or when the link has expired (refresh): this
 * creator's page. Embedded, that is the page inside the Shopify admin (admin.shopify.com/store/<shop>/apps/
 * <api key>/app/…), since /app itself needs the session token the admin's frame provides.
 */
function stripeBackUrl(ctx: StoreContext, creatorId: string, stripe: "return" | "refresh"): string {
  const path = `${ctx.base}/creators/${encodeURIComponent(creatorId)}?stripe=${stripe}`;
  if (ctx.mode !== "embedded") return `${publicUrl()}${path}`;
  const shop = ctx.store.domain.replace(/\.myshopify\.com$/, "");
  return `https://admin.shopify.com/store/${encodeURIComponent(shop)}/apps/${encodeURIComponent(getEnv().SHOPIFY_API_KEY)}${path}`;
}

/** The connected account as Stripe sees it, or why that is not known. */
async function stripeStatusOf(
  ctx: StoreContext,
  creatorId: string,
  account: { method: string; stripeAccountId: string | null } | null,
): Promise<{ configured: boolean; status: StripeAccountStatus | null; error: string | null }> {
  const stripe = stripeProvider();
  if (!stripe || !account?.stripeAccountId) return { configured: stripe !== null, status: null, error: null };
  try {
    return { configured: true, status: await stripeAccountStatus(ctx.db, ctx.storeId, creatorId, stripe), error: null };
  } catch (error) {
    if (!(error instanceof PayoutProviderError)) throw error;
    return { configured: true, status: null, error: error.message };
  }
}

export async function creatorLoader({ request, params }: LoaderFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  return handleErrors(async () => {
    const creator = await requireCreator(ctx.db, ctx.storeId, params.id ?? "");
    const range = dayRangeFrom(new URL(request.url).searchParams);
    const [links, codes, campaigns, performance, payouts] = await Promise.all([
      listLinks(ctx.db, ctx.storeId, { creatorId: creator.id }),
      listDiscountCodes(ctx.db, ctx.storeId, { creatorId: creator.id }),
      listCampaigns(ctx.db, ctx.storeId),
      overview(ctx.db, ctx.storeId, { from: range.from, to: range.to, creatorId: creator.id }),
      creatorPayoutSummaries(ctx.db, ctx.storeId, { creatorId: creator.id }),
    ]);
    const campaignName = new Map(campaigns.map((c) => [c.id, c.name]));
    const base = publicUrl();
    const payoutAccount = await getCreatorPayoutAccount(ctx.db, ctx.storeId, creator.id);
    return {
      shell: shellOf(ctx),
      creator: { id: creator.id, name: creator.name, email: creator.email, status: creator.status },
      payouts: payouts[creator.id] ?? null,
      payoutAccount,
      /** Stripe Connect: whether it is configured, and the creator's connected account's status. */
      stripe: {
        ...(await stripeStatusOf(ctx, creator.id, payoutAccount)),
        back: new URL(request.url).searchParams.get("stripe"),
      },
      storeDomain: ctx.store.domain,
      campaigns: campaigns.filter((c) => c.status !== "ended").map((c) => ({ id: c.id, name: c.name })),
      links: links.map((l) => ({
        id: l.id,
        code: l.code,
        status: l.status,
        destinationUrl: l.destinationUrl,
        campaignName: campaignName.get(l.campaignId) ?? l.campaignId,
        trackingUrl: trackingUrl(base, l.code),
      })),
      codes: codes.map((d) => ({
        id: d.id,
        code: d.code,
        campaignName: campaignName.get(d.campaignId) ?? d.campaignId,
        storeStatus: d.storeStatus,
        storeError: d.storeError,
      })),
      created: new URL(request.url).searchParams.get("created") === "1",
      range: { fromDay: range.fromDay, toDay: range.toDay },
      /** The creator's results in the range, counted as the Overview counts (core/src/metrics). */
      performance,
    };
  });
}

const LinkStatusSchema = z.looseObject({ linkId: z.string().min(1), status: z.enum(["active", "paused"]) });

export async function creatorAction({ request, params }: ActionFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  const { form, intent } = await readForm(request);
  const values = formValues(form);
  const creator = await handleErrors(() => requireCreator(ctx.db, ctx.storeId, params.id ?? ""));
  switch (intent) {
    case "update": {
      const parsed = parseForm(CreatorFormSchema, values);
      if (!parsed.ok) return fail(intent, parsed.errors);
      return attempt(intent, async () => {
        await updateCreator(ctx.db, ctx.storeId, creator.id, {
          name: parsed.data.name,
          email: parsed.data.email ?? null,
        });
        return done(intent, "Creator saved.");
      });
    }
    case "archive":
    case "restore":
      return archive(ctx, creator.id, intent);
    case "code": {
      const parsed = parseForm(DiscountCodeFormSchema, values);
      if (!parsed.ok) return fail(intent, parsed.errors);
      return attempt(
        intent,
        async () => {
          const code = await createDiscountCode(ctx.db, ctx.storeId, { ...parsed.data, creatorId: creator.id });
          return done(intent, `Discount code ${code.code} now credits ${creator.name}.`);
        },
        "code",
      );
    }
    case "pushCode": {
      const parsed = CodeIdSchema.safeParse(values);
      if (!parsed.success) return fail(intent, { form: "no code given" });
      const pushed = await pushDiscountCode(ctx.db, discountGatewayFor(ctx), ctx.storeId, parsed.data.codeId);
      return pushed.error
        ? fail(intent, { form: pushed.error }, 409)
        : done(intent, "The code is active in your shop.");
    }
    case "link": {
      const parsed = parseForm(LinkFormSchema, values);
      if (!parsed.ok) return fail(intent, parsed.errors);
      return attempt(intent, async () => {
        const link = await createLink(ctx.db, ctx.storeId, { ...parsed.data, creatorId: creator.id });
        return done(intent, `Link created: ${trackingUrl(publicUrl(), link.code)}`);
      });
    }
    case "linkStatus": {
      const parsed = LinkStatusSchema.safeParse(values);
      if (!parsed.success) return fail(intent, { form: "choose a link and a status" });
      const own = await listLinks(ctx.db, ctx.storeId, { creatorId: creator.id });
      if (!own.some((l) => l.id === parsed.data.linkId)) notFound(`link ${parsed.data.linkId}`);
      return attempt(intent, async () => {
        await setLinkStatus(ctx.db, ctx.storeId, parsed.data.linkId, parsed.data.status);
        return done(intent, parsed.data.status === "paused" ? "Link paused." : "Link resumed.");
      });
    }
    case "payoutMethod": {
      const method = values.method;
      return attempt(intent, async () => {
        if (method === "paypal") {
          const email = typeof values.paypalEmail === "string" ? values.paypalEmail.trim() : "";
          if (!email) return fail(intent, { paypalEmail: "Enter the creator's PayPal email." });
          await setCreatorPayoutMethod(ctx.db, ctx.storeId, creator.id, { method: "paypal", paypalEmail: email });
        } else if (method === "manual") {
          const details = parseManualDetails(typeof values.details === "string" ? values.details : "");
          await setCreatorPayoutMethod(ctx.db, ctx.storeId, creator.id, { method: "manual", details });
        } else if (method === "stripe") {
          await setCreatorPayoutMethod(ctx.db, ctx.storeId, creator.id, { method: "stripe" });
        } else {
          return fail(intent, { form: "Choose Stripe Connect, PayPal or manual." });
        }
        const label = { paypal: "PayPal", stripe: "Stripe Connect", manual: "manual payout" }[
          method as "paypal" | "stripe" | "manual"
        ];
        return done(
          intent,
          `${creator.name} is now paid by ${label}.${method === "stripe" ? " Start their Stripe onboarding below." : ""}`,
        );
      });
    }
    case "stripeOnboard": {
      const stripe = stripeProvider();
      if (!stripe) return fail(intent, { form: "Stripe is not configured (STRIPE_SECRET_KEY)." });
      try {
        const link = await startStripeOnboarding(ctx.db, ctx.storeId, creator.id, stripe, {
          refreshUrl: stripeBackUrl(ctx, creator.id, "refresh"),
          returnUrl: stripeBackUrl(ctx, creator.id, "return"),
        });
        // The link is single-use and expires within minutes: the page shows it to open at once.
        return done(intent, `Stripe account ${link.accountId} is ready for onboarding.`, link.url);
      } catch (error) {
        if (!(error instanceof PayoutProviderError)) throw error;
        return fail(intent, { form: error.message }, 502);
      }
    }
    default:
      return fail(intent, { form: "unknown action" });
  }
}
