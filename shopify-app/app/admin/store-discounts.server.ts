import type { DiscountGatewayFor, StoreDiscountGateway } from "@trailmark/core/applications";
import type { Db } from "@trailmark/core/db";
import type { Store } from "@trailmark/core/stores";
import {
  type AdminGraphql,
  DISCOUNT_SCOPE,
  missingScopeGateway,
  shopifyDiscountGateway,
  tokenAdminGraphql,
} from "@trailmark/shopify";
import { wooDiscountGatewayFor } from "@trailmark/woocommerce";
import type { StoreContext } from "./store-context.server.ts";

// Which shop API creates a creator's discount code: Shopify's Admin GraphQL (the request's own client in the
// embedded admin, else the shop's offline token), or the WooCommerce REST API with the store's keys. A Shopify
// shop whose granted scopes lack write_discounts gets the ask for the new permission instead of a call.

async function shopifyGateway(
  db: Db,
  store: Store,
  graphql: AdminGraphql | null,
): Promise<StoreDiscountGateway | null> {
  const session = await db.session.findFirst({ where: { shop: store.domain, isOnline: false } });
  if (session?.scope && !session.scope.split(",").includes(DISCOUNT_SCOPE)) return missingScopeGateway();
  if (graphql) return shopifyDiscountGateway(graphql);
  if (!session) return null;
  return shopifyDiscountGateway(tokenAdminGraphql(store.domain, session.accessToken));
}

/**
 * Whether a Shopify shop still has to grant write_discounts: its offline session's scopes (kept current by the
 * app/scopes_update webhook) lack it. Shopify asks the merchant for the scopes of shopify.app.toml the next
 * time they open the app; the admin says so until then.
 */
export async function lacksDiscountScope(db: Db, store: Store): Promise<boolean> {
  if (store.platform !== "shopify") return false;
  const session = await db.session.findFirst({ where: { shop: store.domain, isOnline: false } });
  return Boolean(session?.scope) && !session!.scope!.split(",").includes(DISCOUNT_SCOPE);
}

/** The gateways for any store, outside an admin request (the public application page's auto-approval). */
export function storeDiscountGateways(db: Db): DiscountGatewayFor {
  return (store) => (store.platform === "shopify" ? shopifyGateway(db, store, null) : wooDiscountGatewayFor(store));
}

/** The gateways for the store an admin request acts for. */
export function discountGatewayFor(ctx: StoreContext): DiscountGatewayFor {
  return (store) => {
    if (store.id !== ctx.storeId) return null;
    return store.platform === "shopify" ? shopifyGateway(ctx.db, store, ctx.graphql) : wooDiscountGatewayFor(store);
  };
}
