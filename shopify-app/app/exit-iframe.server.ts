// Where Shopify's exit-iframe page may send the top frame. shopify-app-remix 4.2 checks only that the
// destination is an https URL, so /auth/exit-iframe?exitIframe=https://evil.test/phish would navigate the
// merchant's whole admin tab to a phishing page. The library itself only ever sends the app's own auth paths,
// the shop's admin (OAuth grant, billing approval) and Shopify admin there.

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export function isAllowedExitDestination(destination: string | null, shop: string | null, appUrl: string): boolean {
  if (!destination || /[\s\\]/.test(destination)) return false;
  const app = new URL(appUrl);
  let url: URL;
  try {
    url = new URL(destination, app);
  } catch {
    return false;
  }
  // https only, as the library requires (it would throw on anything else: a 500).
  if (url.protocol !== "https:" || url.username !== "" || url.password !== "") return false;
  if (url.origin === app.origin) return true;
  if (url.port !== "") return false;
  if (url.hostname === "admin.shopify.com") return true;
  // The shop's own admin, not its storefront (which anyone with a store controls).
  const shopDomain = shop?.toLowerCase() ?? "";
  return (
    SHOP_DOMAIN.test(shopDomain) &&
    url.hostname === shopDomain &&
    (url.pathname === "/admin" || url.pathname.startsWith("/admin/"))
  );
}
