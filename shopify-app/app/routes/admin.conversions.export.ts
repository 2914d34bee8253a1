import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportLoader } from "../admin/pages/conversions.server.ts";
import { requireStandaloneContext } from "../admin/standalone.server.ts";

export const loader = (args: LoaderFunctionArgs) => exportLoader(args, requireStandaloneContext);
