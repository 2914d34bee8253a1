import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireEmbeddedContext } from "../admin/embedded.server.ts";
import { campaignAction, campaignLoader } from "../admin/pages/campaigns.server.ts";

export const loader = (args: LoaderFunctionArgs) => campaignLoader(args, requireEmbeddedContext);
export const action = (args: ActionFunctionArgs) => campaignAction(args, requireEmbeddedContext);
export { CampaignPage as default } from "../admin/pages/campaigns.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
