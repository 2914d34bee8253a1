import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { payoutsAction, payoutsLoader } from "../admin/pages/payouts.server.ts";
import { requireStandaloneContext } from "../admin/standalone.server.ts";

export const loader = (args: LoaderFunctionArgs) => payoutsLoader(args, requireStandaloneContext);
export const action = (args: ActionFunctionArgs) => payoutsAction(args, requireStandaloneContext);
export { PayoutsPage as default } from "../admin/pages/payouts.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
