import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireEmbeddedContext } from "../admin/embedded.server.ts";
import { creatorsAction, creatorsLoader } from "../admin/pages/creators.server.ts";

export const loader = (args: LoaderFunctionArgs) => creatorsLoader(args, requireEmbeddedContext);
export const action = (args: ActionFunctionArgs) => creatorsAction(args, requireEmbeddedContext);
export { CreatorsPage as default } from "../admin/pages/creators.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
