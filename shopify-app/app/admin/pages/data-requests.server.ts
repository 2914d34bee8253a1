import type { LoaderFunctionArgs } from "@remix-run/node";
import { dataRequestExport, listDataRequests } from "@trailmark/core/privacy";
import { handleErrors, notFound, type RequireStoreContext, shellOf } from "../store-context.server.ts";

// Customers' requests to see their data (Shopify's customers/data_request). Shopify expects the app to give the
// merchant what it holds about that customer, and the merchant to pass it on: each request is listed with how
// much is held, and its export downloads as JSON, built from the store's rows at that moment.

export async function dataRequestsLoader({ request }: LoaderFunctionArgs, requireStoreContext: RequireStoreContext) {
  const ctx = await requireStoreContext(request);
  return handleErrors(async () => ({
    shell: shellOf(ctx),
    requests: (await listDataRequests(ctx.db, ctx.storeId)).map((r) => ({
      id: r.id,
      requestId: r.requestId,
      receivedAt: r.receivedAt.toISOString(),
      held: r.held,
    })),
  }));
}

/** The export of one request, as a JSON attachment. */
export async function dataRequestDownloadLoader(
  { request, params }: LoaderFunctionArgs,
  requireStoreContext: RequireStoreContext,
) {
  const ctx = await requireStoreContext(request);
  const found = await handleErrors(() => dataRequestExport(ctx.db, ctx.storeId, params.id ?? ""));
  if (!found) notFound("data request");
  const document = {
    store: { name: ctx.store.name, domain: ctx.store.domain },
    request: { id: found.request.requestId, receivedAt: found.request.receivedAt.toISOString() },
    generatedAt: new Date().toISOString(),
    // What Trailmark holds about the customer: their orders as tracked for attribution (amounts in minor units
    // of the currency beside them), their browser's events and the browser ids.
    ...found.data,
  };
  const filename = `trailmark-data-request-${found.request.requestId.replace(/[^A-Za-z0-9_-]/g, "_")}.json`;
  return new Response(`${JSON.stringify(document, null, 2)}\n`, {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
    },
  });
}
