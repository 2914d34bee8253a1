import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireEmbeddedContext } from "../admin/embedded.server.ts";
import { payoutsAction, payoutsLoader } from "../admin/pages/payouts.server.ts";

export const loader = (args: LoaderFunctionArgs) => payoutsLoader(args, requireEmbeddedContext);
export const action = (args: ActionFunctionArgs) => payoutsAction(args, requireEmbeddedContext);
export { PayoutsPage as default } from "../admin/pages/payouts.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
