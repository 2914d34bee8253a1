import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireEmbeddedContext } from "../admin/embedded.server.ts";
import { exportLoader } from "../admin/pages/conversions.server.ts";

export const loader = (args: LoaderFunctionArgs) => exportLoader(args, requireEmbeddedContext);
