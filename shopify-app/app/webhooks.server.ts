import { toResponse } from "@trailmark/core/http";
import {
  createInboxRecorder,
  type InboxRecorder,
  prismaInboxWriter,
  receiveFetch,
  type WebhookReceipt,
} from "@trailmark/core/inbox";
import { createShopifyReceipt } from "@trailmark/shopify";
import { getDatabase } from "./db.server.ts";
import { getEnv } from "./env.server.ts";

// The webhook routes under Remix answer with the same receipt as the node:http route that serves /webhooks/* in
// front of Remix (server.ts, scripts/start.ts): they are only reached where Remix serves alone (`shopify app
// dev`), and store through Prisma rather than a driver connection of their own.

let receiver: { receipt: WebhookReceipt; recorder: InboxRecorder } | undefined;

/** Webhook routes answer only POST; their loader turns a GET away without an error in the logs. */
export function methodNotAllowed(): Response {
  return new Response(null, { status: 405, headers: { allow: "POST" } });
}

export async function receiveWebhook(request: Request): Promise<Response> {
  if (!receiver) {
    const { db, provider } = getDatabase();
    receiver = {
      receipt: createShopifyReceipt({ db, secret: () => getEnv().SHOPIFY_API_SECRET }),
      recorder: createInboxRecorder({ writer: prismaInboxWriter(db), provider }),
    };
  }
  return toResponse(await receiveFetch(receiver.receipt, receiver.recorder, request));
}
