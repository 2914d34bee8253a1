import { isBotUserAgent } from "../clicks/bot-detection.ts";
import type { ClickRecorder } from "../clicks/click-recorder.ts";
import { isTracking, type LinkCache } from "../clicks/link-cache.ts";
import { countryFrom, referrerHost } from "../clicks/request-signals.ts";
import { type HttpAnswer, toResponse } from "./answer.ts";
import type { RequestContext } from "./context.ts";
import { linkCodeFromUrl } from "./redirect-code.ts";

export interface RedirectResolverOptions {
  links: LinkCache;
  recorder: ClickRecorder;
}

/** What the redirect reads from a request, whichever server received it. */
export interface ClickRequest {
  method: string;
  /** The request URL or just its path; only /c/:code is read from it. */
  url: string;
  userAgent: string | null;
  referer: string | null;
  /** The edge's country headers as received (see countryFrom). */
  cfIpCountry: string | null;
  xCountryCode: string | null;
  clientIp: string | null;
}

export type RedirectResolver = (request: ClickRequest) => Promise<HttpAnswer>;
export type RedirectHandler = (request: Request, ctx: RequestContext) => Promise<Response>;

const NOT_FOUND: HttpAnswer = {
  status: 404,
  headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  body: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>Link not found</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222">
<h1 style="font-size:1.4rem">This link does not exist</h1>
<p>The link you followed may be mistyped or may have been removed.</p>
</body></html>
`,
};

const UNAVAILABLE: HttpAnswer = {
  status: 503,
  headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "retry-after": "5" },
  body: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>Try again</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222">
<h1 style="font-size:1.4rem">This link is briefly unavailable</h1>
<p>Please reload the page in a few seconds.</p>
</body></html>
`,
};

const METHOD_NOT_ALLOWED: HttpAnswer = { status: 405, headers: { allow: "GET, HEAD" }, body: null };

// no-store: a cached redirect would skip the click (and reuse one click id for many visits).
// strict-origin-when-cross-origin: the shop still sees which site sent the visitor (its origin), but
// never the full URL of the page the link was posted on; a laxer policy than the browser default would
// only leak more, and we keep no more than the referrer host ourselves.
function redirectTo(location: string): HttpAnswer {
  return {
    status: 302,
    headers: { location, "cache-control": "no-store", "referrer-policy": "strict-origin-when-cross-origin" },
    body: null,
  };
}

/**
 * GET|HEAD /c/:code. The Location is always built from the link's stored destination, never from the
 * request. Paused links and campaigns that are not live redirect plainly and record nothing; bots (and
 * HEAD) are recorded as "bot" and redirected plainly; people get a click id once their click is committed,
 * or the plain destination if the write failed, so a visitor is never stranded by the database.
 *
 * Server-neutral so that the node:http server can answer it without building fetch Request and Response
 * objects (about a sixth of a redirect's CPU time); createRedirectHandler serves it to fetch-style hosts.
 */
export function createRedirectResolver(options: RedirectResolverOptions): RedirectResolver {
  const { links, recorder } = options;
  return async function resolve(request) {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") return METHOD_NOT_ALLOWED;
    const code = linkCodeFromUrl(request.url);
    if (code === null) return NOT_FOUND;
    // A cached link is used without an await: one microtask less on nearly every click.
    let link = links.peek(code);
    if (link === undefined) {
      try {
        link = await links.get(code);
      } catch (error) {
        console.error("tracking link lookup failed", error);
        return UNAVAILABLE;
      }
    }
    if (link === null) return NOT_FOUND;
    const at = recorder.now();
    if (!isTracking(link, at)) return redirectTo(link.destination.plain);
    const userAgent = request.userAgent ?? "";
    const bot = method === "HEAD" || isBotUserAgent(userAgent);
    const click = await recorder.record({
      link,
      at,
      clientIp: request.clientIp,
      userAgent,
      bot,
      country: countryFrom(request.cfIpCountry, request.xCountryCode),
      referrerHost: referrerHost(request.referer),
    });
    if (click === null || bot) return redirectTo(link.destination.plain);
    return redirectTo(link.destination.tracked(click.id));
  };
}

/** The redirect as a fetch handler, for servers that speak Request and Response. */
export function createRedirectHandler(resolve: RedirectResolver): RedirectHandler {
  return async (request, ctx) => {
    const headers = request.headers;
    const answer = await resolve({
      method: request.method,
      url: request.url,
      userAgent: headers.get("user-agent"),
      referer: headers.get("referer"),
      cfIpCountry: headers.get("cf-ipcountry"),
      xCountryCode: headers.get("x-country-code"),
      clientIp: ctx.clientIp,
    });
    return toResponse(answer);
  };
}
