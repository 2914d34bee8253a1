import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireEmbeddedContext } from "../admin/embedded.server.ts";
import { campaignsAction, campaignsLoader } from "../admin/pages/campaigns.server.ts";

export const loader = (args: LoaderFunctionArgs) => campaignsLoader(args, requireEmbeddedContext);
export const action = (args: ActionFunctionArgs) => campaignsAction(args, requireEmbeddedContext);
export { CampaignsPage as default } from "../admin/pages/campaigns.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
