import { isBotUserAgent } from "../clicks/bot-detection.ts";
import type { ClickRecorder } from "../clicks/click-recorder.ts";
import { isTracking, type LinkCache, type TrackedLink } from "../clicks/link-cache.ts";
import { countryFromHeaders, referrerHost } from "../clicks/request-signals.ts";
import type { RequestContext } from "./context.ts";
import { linkCodeFromUrl } from "./redirect-code.ts";

export interface RedirectHandlerOptions {
  links: LinkCache;
  recorder: ClickRecorder;
}

export type RedirectHandler = (request: Request, ctx: RequestContext) => Promise<Response>;

const NOT_FOUND_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>Link not found</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222">
<h1 style="font-size:1.4rem">This link does not exist</h1>
<p>The link you followed may be mistyped or may have been removed.</p>
</body></html>
`;

function notFound(): Response {
  return new Response(NOT_FOUND_HTML, {
    status: 404,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}

const UNAVAILABLE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>Try again</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222">
<h1 style="font-size:1.4rem">This link is briefly unavailable</h1>
<p>Please reload the page in a few seconds.</p>
</body></html>
`;

function unavailable(): Response {
  return new Response(UNAVAILABLE_HTML, {
    status: 503,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "retry-after": "5" },
  });
}

// no-store: a cached redirect would skip the click (and reuse one click id for many visits).
// strict-origin-when-cross-origin: the shop still sees which site sent the visitor (its origin), but
// never the full URL of the page the link was posted on; a laxer policy than the browser default would
// only leak more, and we keep no more than the referrer host ourselves.
function redirectTo(location: string): Response {
  return new Response(null, {
    status: 302,
    headers: { location, "cache-control": "no-store", "referrer-policy": "strict-origin-when-cross-origin" },
  });
}

/**
 * GET|HEAD /c/:code. The Location is always built from the link's stored destination, never from the
 * request. Paused links and campaigns that are not live redirect plainly and record nothing; bots (and
 * HEAD) are recorded as "bot" and redirected plainly; people get a click id once their click is committed,
 * or the plain destination if the write failed, so a visitor is never stranded by the database.
 */
export function createRedirectHandler(options: RedirectHandlerOptions): RedirectHandler {
  const { links, recorder } = options;
  return async function redirect(request, ctx) {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") {
      return new Response(null, { status: 405, headers: { allow: "GET, HEAD" } });
    }
    const code = linkCodeFromUrl(request.url);
    if (code === null) return notFound();
    let link: TrackedLink | null;
    try {
      link = await links.get(code);
    } catch (error) {
      console.error("tracking link lookup failed", error);
      return unavailable();
    }
    if (link === null) return notFound();
    const at = recorder.now();
    if (!isTracking(link, at)) return redirectTo(link.destination.plain);
    const headers = request.headers;
    const userAgent = headers.get("user-agent") ?? "";
    const bot = method === "HEAD" || isBotUserAgent(userAgent);
    const click = await recorder.record({
      link,
      at,
      clientIp: ctx.clientIp,
      userAgent,
      bot,
      country: countryFromHeaders(headers),
      referrerHost: referrerHost(headers.get("referer")),
    });
    if (click === null || bot) return redirectTo(link.destination.plain);
    return redirectTo(link.destination.tracked(click.id));
  };
}
