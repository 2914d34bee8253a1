import { createClickRecorder } from "../clicks/click-recorder.ts";
import { createLinkCache } from "../clicks/link-cache.ts";
import { openClickWriter } from "../clicks/open-click-writer.ts";
import type { Database } from "../db/client.ts";
import { createEventWriter } from "../events/event-writer.ts";
import { openEventSink } from "../events/open-event-sink.ts";
import { recoverEventFollowUps } from "../events/record-events.ts";
import { AppError } from "../shared/errors.ts";
import { createSiteScriptHandler } from "../site-script/serve.ts";
import { type CollectResolver, createCollectHandler, createCollectResolver } from "./collect.ts";
import type { RequestContext } from "./context.ts";
import { createConversionsHandler, createOpenApiHandler } from "./conversions-api.ts";
import { errorResponse } from "./error-response.ts";
import { createRateLimiter } from "./rate-limit.ts";
import { createRedirectHandler, createRedirectResolver, type RedirectResolver } from "./redirect.ts";

export type FetchHandler = (request: Request, ctx: RequestContext) => Promise<Response>;

export interface TrackingApp {
  /** Answers the tracking routes; null for any other path, so a host server can mount it beside others. */
  route(request: Request, ctx: RequestContext): Promise<Response> | null;
  handler: FetchHandler;
  /** /c/:code and /collect without fetch objects, for node:http to mount (core/src/server/tracking-routes.ts). */
  resolveRedirect: RedirectResolver;
  resolveCollect: CollectResolver;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when queued event follow-up work is done (tests, shutdown). */
  idle(): Promise<void>;
}

export interface TrackingAppOptions {
  database: Database;
  /** Requests per minute per client IP on /collect. */
  collectRateLimit?: number;
  maxClickBatch?: number;
}

/** The hot-path endpoints, framework-free: /c/:code, /collect, /api/v1/conversions, /api/v1/openapi.json, /t.js. */
export function createTrackingApp(options: TrackingAppOptions): TrackingApp {
  const { db, provider } = options.database;
  // Clicks are the hottest write: they go through their own driver connection in multi-row statements.
  const clickWriter = openClickWriter(options.database);
  const recorder = createClickRecorder({ db, provider, writer: clickWriter, maxBatch: options.maxClickBatch });
  const links = createLinkCache({ db });
  // Browser events are the second hottest: the collector, too, writes through a connection of its own.
  const eventSink = openEventSink(options.database);
  const writer = createEventWriter(db, { sink: eventSink });
  const resolveRedirect = createRedirectResolver({ links, recorder });
  const redirect = createRedirectHandler(resolveRedirect);
  const resolveCollect = createCollectResolver({
    db,
    writer,
    rateLimiter: createRateLimiter({ name: "collect", limit: options.collectRateLimit ?? 600, windowMs: 60_000 }),
  });
  const collect = createCollectHandler(resolveCollect);
  const conversions = createConversionsHandler({ db });
  const openapi = createOpenApiHandler();
  const siteScript = createSiteScriptHandler();

  function route(request: Request, ctx: RequestContext): Promise<Response> | null {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith("/c/")) return redirect(request, ctx);
    switch (pathname) {
      case "/collect":
        return collect(request, ctx);
      case "/api/v1/conversions":
        return conversions(request);
      case "/api/v1/openapi.json":
        return openapi();
      case "/t.js":
        return siteScript(request);
      case "/healthz":
        return Promise.resolve(new Response("ok", { headers: { "content-type": "text/plain" } }));
      default:
        return null;
    }
  }

  return {
    route,
    resolveRedirect,
    resolveCollect,
    handler: (request, ctx) =>
      route(request, ctx) ?? Promise.resolve(errorResponse(new AppError("not_found", "no such route"))),
    async start() {
      await recorder.start();
      const redone = await recoverEventFollowUps(db);
      if (redone > 0) console.warn(`redid the follow-up work of ${redone} events stored before a restart`);
    },
    async stop() {
      await recorder.stop();
      await clickWriter.close();
      await writer.idle();
      await eventSink.close();
    },
    idle: () => writer.idle(),
  };
}
