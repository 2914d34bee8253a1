import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server.ts";

// /auth/* belongs to shopify-app-remix (OAuth callback, session token bounce, exit iframe).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  return null;
};
