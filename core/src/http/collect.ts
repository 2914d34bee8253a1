import type { Db } from "../db/client.ts";
import { type CollectEvent, MAX_COLLECT_BYTES, parseCollectRequest } from "../events/collect-schema.ts";
import { type DroppedField, type EventSource, toEventRecord } from "../events/event-record.ts";
import type { EventWriter } from "../events/event-writer.ts";
import { AppError, invalidInput } from "../shared/errors.ts";
import { getStore, type Store, toStore } from "../stores/store.ts";
import { type HttpAnswer, mediaTypeOf, toResponse } from "./answer.ts";
import { readBodyText } from "./body.ts";
import type { RequestContext } from "./context.ts";
import { corsHeaders, isAllowedOrigin, originHostCandidates, SHOPIFY_HOSTS } from "./cors.ts";
import { errorAnswer } from "./error-response.ts";
import type { RateLimiter } from "./rate-limit.ts";

export interface CollectResolverOptions {
  db: Db;
  writer: EventWriter;
  rateLimiter: RateLimiter;
  now?: () => Date;
}

/** What the collector reads from a request, whichever server received it. */
export interface CollectRequest {
  method: string;
  /** The request URL or its target ("/collect?src=script"). */
  url: string;
  origin: string | null;
  contentType: string | null;
  clientIp: string | null;
  /** The body as UTF-8 text; throws AppError("payload_too_large") past maxBytes. */
  readText(maxBytes: number): Promise<string>;
}

export type CollectResolver = (request: CollectRequest) => Promise<HttpAnswer>;

const STORE_TTL_MS = 5_000;

// /t.js posts to /collect?src=script (a header would cost a CORS preflight); the pixel posts plainly.
function sourceOf(url: string): EventSource {
  const query = url.indexOf("?");
  if (query === -1) return "pixel";
  return new URLSearchParams(url.slice(query + 1)).get("src") === "script" ? "script" : "pixel";
}

/**
 * POST /collect: browser events from the web pixel and /t.js, one or a batch, stored once each.
 * Server-neutral like the redirect (see createRedirectResolver); createCollectHandler serves it to fetch-style hosts.
 */
export function createCollectResolver(options: CollectResolverOptions): CollectResolver {
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

  // A preflight names no store: it is answered for an origin that is some active store's own.
  const origins = new Map<string, { known: boolean; at: number }>();
  async function isKnownOrigin(origin: string): Promise<boolean> {
    const cached = origins.get(origin);
    if (cached && Date.now() - cached.at < STORE_TTL_MS) return cached.known;
    const hosts = originHostCandidates(origin);
    let known = false;
    if (hosts.length > 0) {
      const shopifyHost = (SHOPIFY_HOSTS as readonly string[]).includes(hosts[0]!);
      const rows = await db.store.findMany({
        where: {
          status: "active",
          OR: [
            { domain: { in: hosts } },
            // allowedDomains is a JSON array of host names: a quoted host is an element.
            ...hosts.map((h) => ({ allowedDomains: { contains: JSON.stringify(h) } })),
            ...(shopifyHost ? [{ platform: "shopify" }] : []),
          ],
        },
        take: 20,
      });
      known = rows.some((row) => isAllowedOrigin(toStore(row), origin));
    }
    if (origins.size > 10_000) origins.clear();
    origins.set(origin, { known, at: Date.now() });
    return known;
  }

  return async function collect(request) {
    const origin = request.origin;
    if (request.method === "OPTIONS") {
      const known = origin !== null && (await isKnownOrigin(origin).catch(() => false));
      return { status: 204, headers: known ? corsHeaders(origin) : {}, body: null };
    }
    let headers: Record<string, string> = {};
    try {
      if (request.method !== "POST") throw new AppError("invalid", "use POST");
      const wait = await rateLimiter.take(request.clientIp ?? "unknown");
      if (wait > 0) {
        return errorAnswer(new AppError("rate_limited", "too many requests from this address"), {
          "retry-after": String(wait),
        });
      }
      const type = mediaTypeOf(request.contentType, "text/plain");
      if (type !== "application/json" && type !== "text/plain") {
        throw new AppError("unsupported_media_type", "send application/json or text/plain");
      }
      const json = parseJsonText(await request.readText(MAX_COLLECT_BYTES));
      // The store is looked up before the body is validated, so that the store's own pages can read why an
      // event was refused (and their pixel stops resending it) while any other origin cannot.
      const named = storeNamedIn(json);
      const store = named === null ? null : await lookupStore(named);
      if (store?.status === "active" && isAllowedOrigin(store, origin)) headers = corsHeaders(origin);
      const parsed = parseCollectRequest(json);
      if (!parsed.success) throw invalidInput(parsed.error);
      const body = parsed.data;
      if (store?.status !== "active") throw new AppError("not_found", `unknown store ${body.store}`);
      if (!isAllowedOrigin(store, origin))
        throw new AppError("forbidden", `origin ${origin} is not one of the store's domains`);
      const events: CollectEvent[] = body.events;
      const source = sourceOf(request.url);
      const t = now();
      const dropped: (DroppedField & { id: string })[] = [];
      const records = events.map((e) => toEventRecord(e, source, t, (d) => dropped.push({ id: e.id, ...d })));
      // The sender learns what was left out; the log keeps it for whoever wonders why a purchase has no value.
      for (const d of dropped)
        console.warn(`collect: store ${store.id} event ${JSON.stringify(d.id)}: ${d.field} dropped: ${d.reason}`);
      const { stored } = await writer.write(store.id, records);
      return {
        status: 202,
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify(
          dropped.length ? { received: records.length, stored, dropped } : { received: records.length, stored },
        ),
      };
    } catch (error) {
      // CORS headers only once the origin is known to be the store's: any other origin cannot read the answer.
      return errorAnswer(error, headers);
    }
  };
}

/** The collector as a fetch handler. */
export function createCollectHandler(resolve: CollectResolver) {
  return async (request: Request, ctx: RequestContext): Promise<Response> =>
    toResponse(
      await resolve({
        method: request.method,
        url: request.url,
        origin: request.headers.get("origin"),
        contentType: request.headers.get("content-type"),
        clientIp: ctx.clientIp,
        readText: (maxBytes) => readBodyText(request, maxBytes),
      }),
    );
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid", "body is not valid JSON");
  }
}

/** The store id a body names, if it names a plausible one, before the body is validated. */
function storeNamedIn(json: unknown): string | null {
  const store = typeof json === "object" && json !== null ? (json as { store?: unknown }).store : undefined;
  return typeof store === "string" && store.length > 0 && store.length <= 100 ? store : null;
}
