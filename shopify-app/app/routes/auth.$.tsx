import type { LoaderFunctionArgs } from "@remix-run/node";
import { errorResponse } from "@trailmark/core/http";
import { AppError } from "@trailmark/core/shared";
import { getEnv } from "../env.server.ts";
import { isAllowedExitDestination } from "../exit-iframe.server.ts";
import { embeddedFrameAncestors } from "../framing.server.ts";
import { authenticate } from "../shopify.server.ts";

// /auth/* belongs to shopify-app-remix (OAuth callback, session token bounce, exit iframe). Two things are
// checked before it: the exit-iframe destination (the library checks only its scheme), and the pages it
// renders may be framed by Shopify admin only (it would name the unauthenticated ?shop= as a frame ancestor).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.pathname === "/auth/exit-iframe") {
    const destination = url.searchParams.get("exitIframe");
    if (!isAllowedExitDestination(destination, url.searchParams.get("shop"), getEnv().SHOPIFY_APP_URL)) {
      throw errorResponse(
        new AppError("invalid", "exitIframe must be this app, the shop's admin or admin.shopify.com", [
          { path: "exitIframe", message: "not an allowed destination" },
        ]),
      );
    }
  }
  try {
    await authenticate.admin(request);
  } catch (thrown) {
    if (thrown instanceof Response && thrown.headers.has("content-security-policy")) {
      try {
        thrown.headers.set("content-security-policy", embeddedFrameAncestors(null));
      } catch {
        // Immutable headers (a fetched Response): the library renders none of its pages that way.
      }
    }
    throw thrown;
  }
  return null;
};
