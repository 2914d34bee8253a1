import type { LoaderFunctionArgs } from "@remix-run/node";
import { dayRangeFrom, modelComparison } from "@trailmark/core/admin";
import { listCampaigns } from "@trailmark/core/campaigns";
import { handleErrors, type RequireStoreContext, shellOf } from "../store-context.server.ts";

export async function modelsLoader({ request }: LoaderFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  return handleErrors(async () => {
    const params = new URL(request.url).searchParams;
    const range = dayRangeFrom(params, new Date(), 90);
    const campaignId = params.get("campaignId") || null;
    const [comparison, campaigns] = await Promise.all([
      modelComparison(ctx.db, ctx.storeId, { from: range.from, to: range.to, campaignId }),
      listCampaigns(ctx.db, ctx.storeId),
    ]);
    return {
      shell: shellOf(ctx),
      range: { fromDay: range.fromDay, toDay: range.toDay },
      campaignId,
      campaigns: campaigns.map((c) => ({ id: c.id, name: c.name })),
      comparison,
    };
  });
}
