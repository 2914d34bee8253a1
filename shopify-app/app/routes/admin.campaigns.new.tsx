import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { newCampaignAction, newCampaignLoader } from "../admin/pages/campaigns.server.ts";
import { requireStandaloneContext } from "../admin/standalone.server.ts";

export const loader = (args: LoaderFunctionArgs) => newCampaignLoader(args, requireStandaloneContext);
export const action = (args: ActionFunctionArgs) => newCampaignAction(args, requireStandaloneContext);
export { NewCampaignPage as default } from "../admin/pages/campaigns.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
