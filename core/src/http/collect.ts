import type { Db } from "../db/client.ts";
import { type CollectEvent, CollectRequestSchema, MAX_COLLECT_BYTES } from "../events/collect-schema.ts";
import type { EventWriter } from "../events/event-writer.ts";
import { type EventSource, toEventRecord } from "../events/record-events.ts";
import { AppError } from "../shared/errors.ts";
import { getStore, type Store } from "../stores/store.ts";
import type { RequestContext } from "./context.ts";
import { corsHeaders, isAllowedOrigin } from "./cors.ts";
import { errorResponse } from "./error-response.ts";
import { mediaType, readJsonBody } from "./json-body.ts";
import type { RateLimiter } from "./rate-limit.ts";

export interface CollectHandlerOptions {
  db: Db;
  writer: EventWriter;
  rateLimiter: RateLimiter;
  now?: () => Date;
}

const STORE_TTL_MS = 5_000;

/** POST /collect: browser events from the web pixel and /t.js, one or a batch, stored once each. */
export function createCollectHandler(options: CollectHandlerOptions) {
  const { db, writer, rateLimiter } = options;
  const now = options.now ?? (() => new Date());
  const stores = new Map<string, { store: Store | null; at: number }>();

  async function lookupStore(id: string): Promise<Store | null> {
    const cached = stores.get(id);
    if (cached && Date.now() - cached.at < STORE_TTL_MS) return cached.store;
    const store = await getStore(db, id);
    if (stores.size > 10_000) stores.clear();
    stores.set(id, { store, at: Date.now() });
    return store;
  }

  return async function collect(request: Request, ctx: RequestContext): Promise<Response> {
    const origin = request.headers.get("origin");
    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: corsHeaders(origin) });
    let headers: Record<string, string> = {};
    try {
      if (request.method !== "POST") throw new AppError("invalid", "use POST");
      const wait = rateLimiter.take(ctx.clientIp ?? "unknown");
      if (wait > 0) {
        return errorResponse(new AppError("rate_limited", "too many requests from this address"), {
          ...corsHeaders(origin),
          "retry-after": String(wait),
        });
      }
      const type = mediaType(request, "text/plain");
      if (type !== "application/json" && type !== "text/plain") {
        throw new AppError("unsupported_media_type", "send application/json or text/plain");
      }
      const { data: body } = await readJsonBody(request, MAX_COLLECT_BYTES, CollectRequestSchema);
      const store = await lookupStore(body.store);
      if (store?.status !== "active") throw new AppError("not_found", `unknown store ${body.store}`);
      if (!isAllowedOrigin(store, origin))
        throw new AppError("forbidden", `origin ${origin} is not one of the store's domains`);
      headers = corsHeaders(origin);
      const events: CollectEvent[] = "events" in body ? body.events : [stripStore(body)];
      // /t.js posts to /collect?src=script (a header would cost a CORS preflight); the pixel posts plainly.
      const source: EventSource = new URL(request.url).searchParams.get("src") === "script" ? "script" : "pixel";
      const t = now();
      const records = events.map((e) => toEventRecord(e, source, t));
      const { stored } = await writer.write(store.id, records);
      return new Response(JSON.stringify({ received: records.length, stored }), {
        status: 202,
        headers: { ...headers, "content-type": "application/json" },
      });
    } catch (error) {
      return errorResponse(error, Object.keys(headers).length ? headers : corsHeaders(origin));
    }
  };
}

function stripStore(body: { store: string } & CollectEvent): CollectEvent {
  const { store: _store, ...event } = body;
  return event as CollectEvent;
}
