import type { LoaderFunctionArgs } from "@remix-run/node";
import { conversionLoader } from "../admin/pages/conversions.server.ts";
import { requireStandaloneContext } from "../admin/standalone.server.ts";

export const loader = (args: LoaderFunctionArgs) => conversionLoader(args, requireStandaloneContext);
export { ConversionPage as default } from "../admin/pages/conversions.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
