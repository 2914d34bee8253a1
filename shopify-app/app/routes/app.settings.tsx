import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireEmbeddedContext } from "../admin/embedded.server.ts";
import { settingsAction, settingsLoader } from "../admin/pages/settings.server.ts";

export const loader = (args: LoaderFunctionArgs) => settingsLoader(args, requireEmbeddedContext);
export const action = (args: ActionFunctionArgs) => settingsAction(args, requireEmbeddedContext);
export { SettingsPage as default } from "../admin/pages/settings.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
