import type { Db } from "@trailmark/core/db";
import type { RequestContext } from "@trailmark/core/http";
import { errorResponse } from "@trailmark/core/http";
import type { InboxRecorder, InboxWorker } from "@trailmark/core/inbox";
import { receiptRoute } from "@trailmark/core/inbox";
import type { NodeRoute } from "@trailmark/core/server";
import { AppError } from "@trailmark/core/shared";
import { createWooReceipt, createWooWebhookHandler, WEBHOOK_PATH } from "./webhook-handler.ts";

// The bridge's HTTP surface: one route. Anything else is a plain 404 (or 405 on the right path), so a
// misconfigured delivery URL shows up clearly in WooCommerce's webhook log.

export interface WooBridgeHandlerOptions {
  db: Db;
  worker?: Pick<InboxWorker, "drain"> & Partial<Pick<InboxWorker, "nudge">>;
  recorder?: InboxRecorder;
  log?: (message: string) => void;
}

export type WooBridgeHandler = (request: Request, ctx: RequestContext) => Promise<Response>;

export function createWooBridgeHandler(options: WooBridgeHandlerOptions): WooBridgeHandler {
  const webhooks = createWooWebhookHandler(options);
  return async (request, ctx) => {
    const { pathname } = new URL(request.url);
    if (!WEBHOOK_PATH.test(pathname)) return errorResponse(new AppError("not_found", `no route for ${pathname}`));
    if (request.method !== "POST") {
      // ErrorCode has no 405; the body keeps the shape of every other error.
      return new Response(
        JSON.stringify({ error: { code: "method_not_allowed", message: "use POST for webhook deliveries" } }),
        {
          status: 405,
          headers: { allow: "POST", "content-type": "application/json; charset=utf-8" },
        },
      );
    }
    return webhooks(request, ctx);
  };
}

/** The webhook receipt as a node:http route in front of everything else (this bridge's main, npm start). */
export function wooWebhookRoute(db: Db, recorder: InboxRecorder): NodeRoute {
  return receiptRoute(createWooReceipt({ db }), recorder);
}
