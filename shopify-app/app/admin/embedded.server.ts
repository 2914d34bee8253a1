import { data } from "@remix-run/node";
import { findStoreByDomain } from "@trailmark/core/stores";
import { getDatabase } from "../db.server.ts";
import { authenticate } from "../shopify.server.ts";
import type { StoreContext } from "./store-context.server.ts";

export const EMBEDDED_BASE = "/app";

/**
 * The store an embedded request acts for: the shop of the Shopify session token (authenticate.admin throws
 * the redirect or 401 that re-authenticates). Session tokens travel in a header App Bridge adds, never in a
 * cookie, so a cross-site form cannot carry one: no CSRF token is needed in this mode.
 */
export async function requireEmbeddedContext(request: Request): Promise<StoreContext> {
  const { session, admin } = await authenticate.admin(request);
  const { db } = getDatabase();
  const store = await findStoreByDomain(db, "shopify", session.shop);
  if (!store) {
    throw data(
      { error: { code: "not_found", message: "Trailmark is still being set up for this shop; reload in a moment." } },
      { status: 404 },
    );
  }
  return {
    mode: "embedded",
    storeId: store.id,
    store,
    db,
    base: EMBEDDED_BASE,
    csrfToken: null,
    who: session.shop,
    graphql: (query, options) => admin.graphql(query, options),
  };
}
