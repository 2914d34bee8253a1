import type { Store } from "../stores/store.ts";
import { isStoreHost } from "../stores/store.ts";

// Browsers send the collector "simple" requests (text/plain), so CORS only decides whether the page may
// read the answer; the store id in the body and validation are what protect the data. Still, a store's
// events come only from the store's own origins: its domain (and subdomains), the domains the merchant
// listed (a Shopify store's custom domain is added at install), and for Shopify stores the hosts Shopify
// itself serves that store's checkout and storefront pages from. Any other origin, another shop's
// myshopify.com included, is refused and gets no Access-Control-Allow-Origin.
export const SHOPIFY_HOSTS = ["checkout.shopify.com", "shop.app"] as const;

export function isAllowedOrigin(
  store: Pick<Store, "platform" | "domain" | "allowedDomains">,
  origin: string | null,
): boolean {
  // No Origin: not a cross-origin browser request (a server, a same-origin page); nothing for CORS to decide.
  if (!origin) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return false;
  if (isStoreHost(store, url.host)) return true;
  if (store.platform !== "shopify" || url.protocol !== "https:" || url.port !== "") return false;
  return (SHOPIFY_HOSTS as readonly string[]).includes(url.hostname.toLowerCase());
}

/** The host of an origin and every parent domain of it (shop.example.com -> also example.com), lower-cased. */
export function originHostCandidates(origin: string): string[] {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return [];
  }
  const host = url.host.toLowerCase();
  const out = [host];
  const labels = url.hostname.toLowerCase().split(".");
  for (let i = 1; i < labels.length - 1; i++) out.push(labels.slice(i).join("."));
  return out;
}

/** The CORS answer for an origin already found to be the store's (isAllowedOrigin); none for any other. */
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
