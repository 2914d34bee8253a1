import { ADMIN_NAV } from "./admin-nav.ts";

const DETAIL: Record<string, string> = {
  "/campaigns": "Campaign",
  "/creators": "Creator",
  "/conversions": "Conversion",
  "/payouts": "Payout run",
};

/** The page's name for an admin path under /admin or /app: a section ("Campaigns"), one item ("Campaign"), or new. */
export function adminPageName(rest: string): string {
  const section = ADMIN_NAV.filter((item) => item.path !== "").find(
    (item) => rest === item.path || rest.startsWith(`${item.path}/`),
  );
  if (!section) return "Overview";
  const sub = rest.slice(section.path.length);
  if (sub === "") return section.label;
  const item = DETAIL[section.path] ?? section.label;
  return sub === "/new" ? `New ${item.toLowerCase()}` : item;
}

/** The <title> of any page the Remix app serves. */
export function pageTitle(pathname: string): string {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/") return "Trailmark — conversion tracking for influencer marketing";
  if (/^\/(admin\/login|auth\/login)(\/|$)/.test(path)) return "Sign in · Trailmark";
  const admin = /^\/(admin|app)(?=\/|$)(.*)$/.exec(path);
  if (admin) return `${adminPageName(admin[2] ?? "")} · Trailmark`;
  return "Trailmark";
}
