import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireEmbeddedContext } from "../admin/embedded.server.ts";
import { newCampaignAction, newCampaignLoader } from "../admin/pages/campaigns.server.ts";

export const loader = (args: LoaderFunctionArgs) => newCampaignLoader(args, requireEmbeddedContext);
export const action = (args: ActionFunctionArgs) => newCampaignAction(args, requireEmbeddedContext);
export { NewCampaignPage as default } from "../admin/pages/campaigns.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
