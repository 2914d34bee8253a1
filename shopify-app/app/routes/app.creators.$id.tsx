import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireEmbeddedContext } from "../admin/embedded.server.ts";
import { creatorAction, creatorLoader } from "../admin/pages/creators.server.ts";

export const loader = (args: LoaderFunctionArgs) => creatorLoader(args, requireEmbeddedContext);
export const action = (args: ActionFunctionArgs) => creatorAction(args, requireEmbeddedContext);
export { CreatorPage as default } from "../admin/pages/creators.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
