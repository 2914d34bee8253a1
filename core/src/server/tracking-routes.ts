import type http from "node:http";
import type { HttpAnswer } from "../http/answer.ts";
import type { CollectResolver } from "../http/collect.ts";
import type { RedirectResolver } from "../http/redirect.ts";
import type { TrackingApp } from "../http/tracking-app.ts";
import { type NodeRoute, readNodeBodyText, writeAnswer } from "./node-http.ts";

/** The tracking app's hot paths as node:http routes; everything else goes through its fetch handler. */
export function trackingNodeRoutes(app: Pick<TrackingApp, "resolveRedirect" | "resolveCollect">): NodeRoute[] {
  return [redirectRoute(app.resolveRedirect), collectRoute(app.resolveCollect)];
}

/** GET|HEAD /c/:code: the same resolver as the fetch handler, without fetch objects. */
export function redirectRoute(resolve: RedirectResolver): NodeRoute {
  return resolverRoute(
    (target) => target.startsWith("/c/"),
    (req, h, clientIp) => ({
      method: req.method ?? "GET",
      url: req.url ?? "/",
      userAgent: h.userAgent,
      referer: h.referer,
      cfIpCountry: h.cfIpCountry,
      xCountryCode: h.countryCode,
      clientIp,
    }),
    resolve,
  );
}

/** /collect (and /collect?src=script): the same resolver as the fetch handler, the body read off the socket. */
export function collectRoute(resolve: CollectResolver): NodeRoute {
  return resolverRoute(
    (target) => target === "/collect" || target.startsWith("/collect?"),
    (req, h, clientIp) => ({
      method: req.method ?? "GET",
      url: req.url ?? "/",
      origin: h.origin,
      contentType: h.contentType,
      clientIp,
      readText: (maxBytes: number) => readNodeBodyText(req, maxBytes),
    }),
    resolve,
  );
}

function resolverRoute<R>(
  matches: (target: string) => boolean,
  toRequest: (req: http.IncomingMessage, headers: TrackingHeaders, clientIp: string | null) => R,
  resolve: (request: R) => Promise<HttpAnswer>,
): NodeRoute {
  return {
    matches,
    async handle(req, res, ctx) {
      writeAnswer(res, await resolve(toRequest(req, readHeaders(req.rawHeaders), ctx.clientIp)));
    },
  };
}

interface TrackingHeaders {
  userAgent: string | null;
  referer: string | null;
  cfIpCountry: string | null;
  countryCode: string | null;
  origin: string | null;
  contentType: string | null;
}

// The few headers these routes read, from rawHeaders in one pass: cheaper than having node:http build its
// lower-cased headers object. A repeated header keeps its first value (Headers.get would join them); none
// of these is legitimately repeated.
function readHeaders(raw: string[]): TrackingHeaders {
  const out: TrackingHeaders = {
    userAgent: null,
    referer: null,
    cfIpCountry: null,
    countryCode: null,
    origin: null,
    contentType: null,
  };
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    let key: keyof TrackingHeaders | null = null;
    switch (name.length) {
      case 6:
        key = name.toLowerCase() === "origin" ? "origin" : null;
        break;
      case 7:
        key = name.toLowerCase() === "referer" ? "referer" : null;
        break;
      case 10:
        key = name.toLowerCase() === "user-agent" ? "userAgent" : null;
        break;
      case 12:
        {
          const lower = name.toLowerCase();
          key = lower === "cf-ipcountry" ? "cfIpCountry" : lower === "content-type" ? "contentType" : null;
        }
        break;
      case 14:
        key = name.toLowerCase() === "x-country-code" ? "countryCode" : null;
        break;
    }
    if (key !== null && out[key] === null) out[key] = raw[i + 1]!;
  }
  return out;
}
