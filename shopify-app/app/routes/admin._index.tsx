import type { LoaderFunctionArgs } from "@remix-run/node";
import { overviewLoader } from "../admin/pages/overview.server.ts";
import { requireStandaloneContext } from "../admin/standalone.server.ts";

export const loader = (args: LoaderFunctionArgs) => overviewLoader(args, requireStandaloneContext);
export { OverviewPage as default } from "../admin/pages/overview.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
