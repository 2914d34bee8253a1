import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, receiveWebhook } from "../webhooks.server.ts";

// The mandatory compliance topics (customers/data_request, customers/redact, shop/redact): stored in the inbox and
// answered at once; see @trailmark/shopify (platform/src/process-webhook.ts) for the work.
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request);
export const loader = methodNotAllowed;
