import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireEmbeddedContext } from "../admin/embedded.server.ts";
import { dataRequestsLoader } from "../admin/pages/data-requests.server.ts";

export const loader = (args: LoaderFunctionArgs) => dataRequestsLoader(args, requireEmbeddedContext);
export { DataRequestsPage as default } from "../admin/pages/data-requests.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
