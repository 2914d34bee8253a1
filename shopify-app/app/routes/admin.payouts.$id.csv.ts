import type { LoaderFunctionArgs } from "@remix-run/node";
import { payoutCsvLoader } from "../admin/pages/payouts.server.ts";
import { requireStandaloneContext } from "../admin/standalone.server.ts";

export const loader = (args: LoaderFunctionArgs) => payoutCsvLoader(args, requireStandaloneContext);
