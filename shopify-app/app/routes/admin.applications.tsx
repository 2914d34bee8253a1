import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { applicationsAction, applicationsLoader } from "../admin/pages/applications.server.ts";
import { requireStandaloneContext } from "../admin/standalone.server.ts";

export const loader = (args: LoaderFunctionArgs) => applicationsLoader(args, requireStandaloneContext);
export const action = (args: ActionFunctionArgs) => applicationsAction(args, requireStandaloneContext);
export { ApplicationsPage as default } from "../admin/pages/applications.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
