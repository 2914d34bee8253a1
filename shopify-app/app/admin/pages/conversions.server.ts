import type { LoaderFunctionArgs } from "@remix-run/node";
import {
  conversionFilterFrom,
  conversionJourney,
  dayRangeFrom,
  exportConversionsCsv,
  listConversions,
} from "@trailmark/core/admin";
import { listCampaigns } from "@trailmark/core/campaigns";
import { listCreators } from "@trailmark/core/creators";
import { handleErrors, type RequireStoreContext, shellOf, toErrorResponse } from "../store-context.server.ts";

// Conversions: the filtered, paged list; one conversion's journey; and the CSV of the same filter.

/** Dates only narrow the list when the merchant chose them. */
function filterOf(params: URLSearchParams) {
  const dated = params.has("from") || params.has("to");
  const range = dated ? dayRangeFrom(params) : null;
  return {
    filter: conversionFilterFrom(params, range ?? undefined),
    range: range ? { fromDay: range.fromDay, toDay: range.toDay } : null,
  };
}

export async function conversionsLoader({ request }: LoaderFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  return handleErrors(async () => {
    const url = new URL(request.url);
    const { filter, range } = filterOf(url.searchParams);
    // A page number past any list is the last page's neighbour, not a database error.
    const page = Math.min(Math.max(Number.parseInt(url.searchParams.get("page") ?? "1", 10) || 1, 1), 1_000_000);
    const [list, campaigns, creators] = await Promise.all([
      listConversions(ctx.db, ctx.storeId, filter, { page }),
      listCampaigns(ctx.db, ctx.storeId),
      listCreators(ctx.db, ctx.storeId),
    ]);
    return {
      shell: shellOf(ctx),
      list,
      filter: {
        kind: filter.kind ?? "",
        status: filter.status ?? "",
        campaignId: filter.campaignId ?? "",
        creatorId: filter.creatorId ?? "",
        q: filter.q ?? "",
        from: range?.fromDay ?? "",
        to: range?.toDay ?? "",
      },
      campaigns: campaigns.map((c) => ({ id: c.id, name: c.name })),
      creators: creators.map((c) => ({ id: c.id, name: c.name })),
    };
  });
}

export async function conversionLoader(
  { request, params }: LoaderFunctionArgs,
  requireStoreContext: RequireStoreContext,
) {
  const ctx = await requireStoreContext(request);
  return handleErrors(async () => ({
    shell: shellOf(ctx),
    journey: await conversionJourney(ctx.db, ctx.storeId, params.id ?? ""),
  }));
}

/** The CSV download: streamed page by page, so a large export never sits in memory. */
export async function exportLoader({ request }: LoaderFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  const { filter } = await handleErrors(async () => filterOf(new URL(request.url).searchParams));
  const chunks = exportConversionsCsv(ctx.db, ctx.storeId, filter);
  const encoder = new TextEncoder();
  // The first page is read before answering, so that a failure is a proper error rather than a cut-off file.
  let first: IteratorResult<string>;
  try {
    first = await chunks.next();
  } catch (error) {
    throw toErrorResponse(error);
  }
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (!first.done) controller.enqueue(encoder.encode(first.value));
    },
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  const day = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="trailmark-conversions-${day}.csv"`,
      "cache-control": "no-store",
    },
  });
}
