import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { campaignAction, campaignLoader } from "../admin/pages/campaigns.server.ts";
import { requireStandaloneContext } from "../admin/standalone.server.ts";

export const loader = (args: LoaderFunctionArgs) => campaignLoader(args, requireStandaloneContext);
export const action = (args: ActionFunctionArgs) => campaignAction(args, requireStandaloneContext);
export { CampaignPage as default } from "../admin/pages/campaigns.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
