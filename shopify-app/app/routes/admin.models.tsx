import type { LoaderFunctionArgs } from "@remix-run/node";
import { modelsLoader } from "../admin/pages/models.server.ts";
import { requireStandaloneContext } from "../admin/standalone.server.ts";

export const loader = (args: LoaderFunctionArgs) => modelsLoader(args, requireStandaloneContext);
export { ModelsPage as default } from "../admin/pages/models.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
