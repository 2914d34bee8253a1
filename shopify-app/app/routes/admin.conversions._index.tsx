import type { LoaderFunctionArgs } from "@remix-run/node";
import { conversionsLoader } from "../admin/pages/conversions.server.ts";
import { requireStandaloneContext } from "../admin/standalone.server.ts";

export const loader = (args: LoaderFunctionArgs) => conversionsLoader(args, requireStandaloneContext);
export { ConversionsPage as default } from "../admin/pages/conversions.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
