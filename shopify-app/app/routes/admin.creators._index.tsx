import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { creatorsAction, creatorsLoader } from "../admin/pages/creators.server.ts";
import { requireStandaloneContext } from "../admin/standalone.server.ts";

export const loader = (args: LoaderFunctionArgs) => creatorsLoader(args, requireStandaloneContext);
export const action = (args: ActionFunctionArgs) => creatorsAction(args, requireStandaloneContext);
export { CreatorsPage as default } from "../admin/pages/creators.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
