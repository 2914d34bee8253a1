import type { LoaderFunctionArgs } from "@remix-run/node";
import { dataRequestDownloadLoader } from "../admin/pages/data-requests.server.ts";
import { requireStandaloneContext } from "../admin/standalone.server.ts";

export const loader = (args: LoaderFunctionArgs) => dataRequestDownloadLoader(args, requireStandaloneContext);
