import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { campaignsAction, campaignsLoader } from "../admin/pages/campaigns.server.ts";
import { requireStandaloneContext } from "../admin/standalone.server.ts";

export const loader = (args: LoaderFunctionArgs) => campaignsLoader(args, requireStandaloneContext);
export const action = (args: ActionFunctionArgs) => campaignsAction(args, requireStandaloneContext);
export { CampaignsPage as default } from "../admin/pages/campaigns.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
