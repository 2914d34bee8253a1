import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { creatorAction, creatorLoader } from "../admin/pages/creators.server.ts";
import { requireStandaloneContext } from "../admin/standalone.server.ts";

export const loader = (args: LoaderFunctionArgs) => creatorLoader(args, requireStandaloneContext);
export const action = (args: ActionFunctionArgs) => creatorAction(args, requireStandaloneContext);
export { CreatorPage as default } from "../admin/pages/creators.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
