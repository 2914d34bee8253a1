import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireEmbeddedContext } from "../admin/embedded.server.ts";
import { conversionLoader } from "../admin/pages/conversions.server.ts";

export const loader = (args: LoaderFunctionArgs) => conversionLoader(args, requireEmbeddedContext);
export { ConversionPage as default } from "../admin/pages/conversions.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
