import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireEmbeddedContext } from "../admin/embedded.server.ts";
import { payoutCsvLoader } from "../admin/pages/payouts.server.ts";

export const loader = (args: LoaderFunctionArgs) => payoutCsvLoader(args, requireEmbeddedContext);
