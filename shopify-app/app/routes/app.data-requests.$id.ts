import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireEmbeddedContext } from "../admin/embedded.server.ts";
import { dataRequestDownloadLoader } from "../admin/pages/data-requests.server.ts";

export const loader = (args: LoaderFunctionArgs) => dataRequestDownloadLoader(args, requireEmbeddedContext);
