import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { settingsAction, settingsLoader } from "../admin/pages/settings.server.ts";
import { requireStandaloneContext } from "../admin/standalone.server.ts";

export const loader = (args: LoaderFunctionArgs) => settingsLoader(args, requireStandaloneContext);
export const action = (args: ActionFunctionArgs) => settingsAction(args, requireStandaloneContext);
export { SettingsPage as default } from "../admin/pages/settings.tsx";
export { AdminErrorBoundary as ErrorBoundary } from "../admin/ui/shell.tsx";
