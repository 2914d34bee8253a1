import { errorResponse, readBodyBytes } from "@trailmark/core/http";
import { concurrencyGate, routedPath } from "@trailmark/core/server";
import { AppError } from "@trailmark/core/shared";
import { isEmbeddedPath } from "../app/framing.server.ts";

// What every request to the Remix app passes before Remix sees it, and what every answer gets on the way out.
// Remix itself answers a foreign Origin on a POST, and request.formData() a body that is not a form, by
// throwing: a 500 with an empty body. Here they get a 403, a 415 or a 400 that says why, and no body is
// buffered past MAX_FORM_BYTES.

/** Admin and sign-in forms are a few KB; nothing the app's own pages post comes near this. */
export const MAX_FORM_BYTES = 256 * 1024;

const SAFE_METHODS = new Set(["GET", "HEAD"]);
const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/** Shopify's webhook routes read their own signed JSON bodies, with their own limit. */
function readsItsOwnBody(pathname: string): boolean {
  return pathname.startsWith("/webhooks/");
}

/**
 * The host Remix compares an action's Origin with (x-forwarded-host's first value, else Host), and whether
 * Origin matches it. Remix throws on a mismatch, on an Origin of "null" and on one that is not a URL.
 */
export function isForeignOrigin(headers: Headers): boolean {
  const origin = headers.get("origin");
  if (origin === null) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return true;
  }
  if (origin === "null" || originHost === "") return true;
  const forwarded = headers.get("x-forwarded-host")?.split(",")[0]?.trim();
  const host = forwarded || headers.get("host");
  return !host || host !== originHost;
}

/**
 * A refusal. A body left unread is cancelled: core's server then reads and throws away what still arrives, and
 * cuts the connection if it keeps coming (closing the socket on unread bytes would reset the connection and
 * could lose the answer).
 */
function refuse(request: Request, error: AppError, headers: Record<string, string> = {}): Response {
  if (request.body !== null && !request.bodyUsed) request.body.cancel().catch(() => {});
  return errorResponse(error, headers);
}

const SHOP_DOMAIN = /^[a-zA-Z0-9][a-zA-Z0-9-_]*\.myshopify\.com$/;

/**
 * Shopify's library copies ?shop= into response headers on its own pages; a value that is no shop domain
 * (any non-Latin-1 character) makes that throw. /auth/login checks the shop itself and says so on its page.
 */
function hasMalformedShop(url: URL): boolean {
  if (!(isEmbeddedPath(url.pathname) || url.pathname.startsWith("/auth/")) || url.pathname === "/auth/login") {
    return false;
  }
  return url.searchParams.getAll("shop").some((shop) => !SHOP_DOMAIN.test(shop));
}

/** The request to hand to Remix, or the answer that refuses it. */
export async function guardRequest(request: Request): Promise<Request | Response> {
  const url = new URL(request.url);
  if (hasMalformedShop(url)) {
    return refuse(
      request,
      new AppError("invalid", "shop must be a shop's myshopify.com domain", [
        { path: "shop", message: "not a myshopify.com domain" },
      ]),
    );
  }
  if (SAFE_METHODS.has(request.method)) return request;
  if (isForeignOrigin(request.headers)) {
    return refuse(request, new AppError("forbidden", "cross-site request refused: Origin is not this site"));
  }
  if (request.method === "OPTIONS" || readsItsOwnBody(url.pathname)) return request;
  const type = request.headers.get("content-type") ?? "";
  if (!FORM_TYPES.test(type)) {
    return refuse(
      request,
      new AppError(
        "unsupported_media_type",
        "post a form: Content-Type application/x-www-form-urlencoded or multipart/form-data",
      ),
    );
  }
  let body: Uint8Array;
  try {
    body = await readBodyBytes(request, MAX_FORM_BYTES);
  } catch (error) {
    return refuse(
      request,
      error instanceof AppError ? error : new AppError("invalid", "the request body could not be read"),
    );
  }
  const forwarded = new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: body as BodyInit,
    signal: request.signal,
  });
  // A form Content-Type whose body does not parse (a multipart body without its boundary, say) is refused
  // here rather than thrown from the route's request.formData().
  try {
    await forwarded.clone().formData();
  } catch {
    return errorResponse(new AppError("invalid", "the form body is malformed"));
  }
  return forwarded;
}

/** Paths whose documents Shopify admin frames; their frame-ancestors are set where the shop is known. */
function isEmbedded(pathname: string): boolean {
  return isEmbeddedPath(pathname) || pathname.startsWith("/auth/");
}

/**
 * Nothing outside the embedded admin may be framed: the standalone admin, its sign-in, the login page, the
 * error pages. The embedded admin's documents name their shop (entry.server.tsx); Shopify's auth pages get
 * theirs in routes/auth.$.tsx.
 */
export function withFraming(pathname: string, response: Response): Response {
  if (isEmbedded(pathname)) return response;
  let out = response;
  try {
    out.headers.set("x-frame-options", "DENY");
  } catch {
    // A Response with immutable headers (from fetch, or Response.redirect): copy it.
    out = new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    out.headers.set("x-frame-options", "DENY");
  }
  const csp = out.headers.get("content-security-policy");
  if (csp === null) out.headers.set("content-security-policy", "frame-ancestors 'none'");
  else if (!/frame-ancestors/i.test(csp))
    out.headers.set("content-security-policy", `${csp.replace(/;\s*$/, "")}; frame-ancestors 'none'`);
  return out;
}

/**
 * Sign-in posts allowed inside the app at once. Each costs a password hash and a rendered page; past this, a
 * sign-in is refused at once with a small 429 on node:http (core's server, ServeOptions.gates) rather than
 * queued, before any fetch Request or Remix code exists for it, so a flood of them from any number of
 * addresses costs little more than reading their headers and does not hold up other visitors' pages.
 */
export const SIGN_INS_IN_FLIGHT = 4;

const SIGN_IN_PATH = /^\/admin\/login(\/link)?(\.data)?\/?$/;

/** A POST to a sign-in route, however its path is spelled (see routedPath). */
export function isSignInPost(method: string, target: string): boolean {
  if (method !== "POST") return false;
  const path = routedPath(target);
  return path !== null && SIGN_IN_PATH.test(path);
}

/** For serveFetch's gates wherever the app is served (npm start, shopify-app/server.ts). */
export function createSignInGate() {
  return concurrencyGate({
    matches: isSignInPost,
    limit: SIGN_INS_IN_FLIGHT,
    message: "too many sign-ins at once; try again in a moment",
  });
}
