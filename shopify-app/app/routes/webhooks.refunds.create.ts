import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, receiveWebhook } from "../webhooks.server.ts";

// refunds/create: stored in the inbox and answered at once; see @trailmark/shopify (platform/src/process-webhook.ts) for the work.
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request);
export const loader = methodNotAllowed;
