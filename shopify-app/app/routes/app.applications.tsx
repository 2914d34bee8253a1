import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireEmbeddedContext } from "../admin/embedded.server.ts";
import { applicationsAction, applicationsLoader } from "../admin/pages/applications.server.ts";

export const loader = (args: LoaderFunctionArgs) => applicationsLoader(args, requireEmbeddedContext);
export const action = (args: ActionFunctionArgs) => applicationsAction(args, requireEmbeddedContext);
export { ApplicationsPage as default } from "../admin/pages/applications.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
