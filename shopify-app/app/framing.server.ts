// Who may frame the embedded admin's documents: Shopify admin, and the shop of the verified session, never a
// shop named by the request's unauthenticated ?shop= parameter. Everything else refuses framing
// (server/http-edges.ts).

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/** The frame-ancestors policy of an embedded document; `verifiedShop` comes from authenticate.admin. */
export function embeddedFrameAncestors(verifiedShop: string | null | undefined): string {
  const shop = verifiedShop && SHOP_DOMAIN.test(verifiedShop) ? ` https://${verifiedShop}` : "";
  return `frame-ancestors${shop} https://admin.shopify.com;`;
}

export function isEmbeddedPath(pathname: string): boolean {
  return pathname === "/app" || pathname.startsWith("/app/") || pathname.startsWith("/app.");
}

/** Sets the framing headers of a rendered document. */
export function setDocumentFraming(pathname: string, headers: Headers, verifiedShop: string | null | undefined): void {
  if (isEmbeddedPath(pathname)) {
    headers.set("Content-Security-Policy", embeddedFrameAncestors(verifiedShop));
    headers.delete("X-Frame-Options");
    if (verifiedShop)
      headers.set("Link", '<https://cdn.shopify.com/shopifycloud/app-bridge.js>; rel="preload"; as="script";');
    return;
  }
  headers.set("X-Frame-Options", "DENY");
  headers.set("Content-Security-Policy", "frame-ancestors 'none'");
}
