import type { Store } from "../stores/store.ts";
import { isStoreHost } from "../stores/store.ts";

// Browsers send the collector "simple" requests (text/plain), so CORS only decides whether the page may
// read the answer; the store id in the body and validation are what protect the data. Shopify runs web
// pixels on hosts it chooses (myshopify.com, checkout and preview domains, the shop's custom domain), so
// for Shopify stores any https origin is answered.
export function isAllowedOrigin(
  store: Pick<Store, "platform" | "domain" | "allowedDomains">,
  origin: string | null,
): boolean {
  if (!origin) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (store.platform === "shopify") return url.protocol === "https:" || isStoreHost(store, url.host);
  return isStoreHost(store, url.host);
}

export function corsHeaders(origin: string | null): Record<string, string> {
  if (!origin) return {};
  return {
    "access-control-allow-origin": origin,
    "access-control-allow-methods": "POST, OPTIONS",
    "access-control-allow-headers": "content-type",
    "access-control-max-age": "86400",
    vary: "Origin",
  };
}
