import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireEmbeddedContext } from "../admin/embedded.server.ts";
import { overviewLoader } from "../admin/pages/overview.server.ts";

export const loader = (args: LoaderFunctionArgs) => overviewLoader(args, requireEmbeddedContext);
export { OverviewPage as default } from "../admin/pages/overview.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
