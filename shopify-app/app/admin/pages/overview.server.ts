import type { LoaderFunctionArgs } from "@remix-run/node";
import { dayRangeFrom, overview, trackingStatusOf } from "@trailmark/core/admin";
import { listCampaigns } from "@trailmark/core/campaigns";
import { handleErrors, publicUrl, type RequireStoreContext, shellOf } from "../store-context.server.ts";

export async function overviewLoader({ request }: LoaderFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  return handleErrors(async () => {
    const params = new URL(request.url).searchParams;
    const range = dayRangeFrom(params);
    const campaignId = params.get("campaignId") || null;
    const { db, storeId } = ctx;
    const [figures, campaigns, lastEvent] = await Promise.all([
      overview(db, storeId, { from: range.from, to: range.to, campaignId }),
      listCampaigns(db, storeId),
      db.event.findFirst({
        where: { storeId, source: { in: ["pixel", "script"] } },
        orderBy: { occurredAt: "desc" },
        select: { occurredAt: true },
      }),
    ]);
    return {
      shell: shellOf(ctx),
      storeId,
      range: { fromDay: range.fromDay, toDay: range.toDay },
      campaignId,
      campaigns: campaigns.map((c) => ({ id: c.id, name: c.name })),
      overview: figures,
      tracking: trackingStatusOf(ctx.store, lastEvent?.occurredAt ?? null, publicUrl(), new Date()),
    };
  });
}
