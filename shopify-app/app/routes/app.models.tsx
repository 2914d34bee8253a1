import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireEmbeddedContext } from "../admin/embedded.server.ts";
import { modelsLoader } from "../admin/pages/models.server.ts";

export const loader = (args: LoaderFunctionArgs) => modelsLoader(args, requireEmbeddedContext);
export { ModelsPage as default } from "../admin/pages/models.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
