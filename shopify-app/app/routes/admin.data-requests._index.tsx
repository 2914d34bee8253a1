import type { LoaderFunctionArgs } from "@remix-run/node";
import { dataRequestsLoader } from "../admin/pages/data-requests.server.ts";
import { requireStandaloneContext } from "../admin/standalone.server.ts";

export const loader = (args: LoaderFunctionArgs) => dataRequestsLoader(args, requireStandaloneContext);
export { DataRequestsPage as default } from "../admin/pages/data-requests.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
