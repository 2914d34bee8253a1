import type { Db } from "@trailmark/core/db";
import { adoptShopDeliveries } from "@trailmark/core/inbox";
import {
  allowStoreHost,
  createStore,
  type Store,
  setStoreDetails,
  setStoreStatus,
  updateStoreCredentials,
} from "@trailmark/core/stores";
import { z } from "zod";
import { type AdminGraphql, activateWebPixel, type PixelState, pixelSettingsFor } from "./pixel.ts";

// What happens after a merchant installs (or re-authorizes) the app: the shop becomes a Trailmark store (created
// once, re-activated after an uninstall) and its web pixel is activated with that store's id. Run from the
// afterAuth hook; safe to repeat.

export const SHOP_QUERY = `#graphql
  query trailmarkShop {
    shop { name currencyCode primaryDomain { host } }
  }`;

const ShopAnswerSchema = z.object({
  data: z.object({
    shop: z.object({
      name: z.string().min(1),
      currencyCode: z.string().regex(/^[A-Z]{3}$/),
      primaryDomain: z.object({ host: z.string().min(1).max(253) }).nullish(),
    }),
  }),
});

async function shopDetails(
  graphql: AdminGraphql,
): Promise<{ name: string; currency: string; primaryHost: string | null } | null> {
  try {
    const parsed = ShopAnswerSchema.safeParse(await (await graphql(SHOP_QUERY)).json());
    if (!parsed.success) return null;
    const { shop } = parsed.data.data;
    return {
      name: shop.name,
      currency: shop.currencyCode,
      primaryHost: shop.primaryDomain?.host.toLowerCase() ?? null,
    };
  } catch {
    return null;
  }
}

export interface InstallInput {
  db: Db;
  /** The shop's myshopify domain, from the session. */
  shop: string;
  graphql: AdminGraphql;
  /** SHOPIFY_APP_URL: the collector the pixel posts to lives under it. */
  appUrl: string;
  now?: () => Date;
}

export async function installStore(input: InstallInput): Promise<{ store: Store; pixel: PixelState }> {
  const { db, shop, graphql } = input;
  const details = await shopDetails(graphql);
  if (!details) console.warn(`shopify install ${shop}: shop name and currency unavailable; using the defaults`);
  const { store } = await createStore(db, {
    platform: "shopify",
    domain: shop,
    ...(details ? { name: details.name, currency: details.currency } : {}),
  });
  if (store.status === "uninstalled") await setStoreStatus(db, store.id, "active");
  // Orders that arrived while the install was under way waited for the store: they are its deliveries now.
  await adoptShopDeliveries(db, { storeId: store.id, shopDomain: shop });
  // A store first created by an early webhook has default details; the shop's own name and currency win.
  if (details && (store.name !== details.name || store.currency !== details.currency)) {
    await setStoreDetails(db, store.id, { name: details.name, currency: details.currency });
  }
  // The pixel posts from the storefront's own domain, which /collect accepts only when the store knows it.
  const primaryHost = details?.primaryHost;
  if (primaryHost) await allowStoreHost(db, store, primaryHost);
  const pixel = await activateWebPixel(graphql, pixelSettingsFor(store.id, input.appUrl), input.now);
  if (pixel.status === "error") console.warn(`shopify install ${shop}: web pixel not activated: ${pixel.error}`);
  const updated = await updateStoreCredentials(db, store.id, { pixel });
  return { store: updated, pixel };
}
