import { randomBytes, timingSafeEqual } from "node:crypto";
import { data, redirect } from "@remix-run/node";
import { getAdminSession } from "@trailmark/core/admin";
import { isValidCsrfToken } from "@trailmark/core/shared";
import { requireStore } from "@trailmark/core/stores";
import { getDatabase } from "../db.server.ts";
import type { StoreContext } from "./store-context.server.ts";

// Standalone access for stores outside Shopify. The session cookie holds a random token (the database keeps
// only its hash); it is httpOnly, SameSite=Lax, Secure whenever the app is served over https, and lives for
// the session's seven days. Every action must post the session's CSRF token (synchronizer pattern) and come
// from our own origin. The sign-in form, which has no session yet, uses a double-submit token instead.

export const SESSION_COOKIE = "tm_admin";
export const LOGIN_CSRF_COOKIE = "tm_login_csrf";
export const CSRF_FIELD = "_csrf";
export const STANDALONE_BASE = "/admin";
export const LOGIN_PATH = "/admin/login";

function isSecure(request: Request): boolean {
  return process.env.NODE_ENV === "production" || new URL(request.url).protocol === "https:";
}

export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

function cookie(request: Request, name: string, value: string, maxAgeSeconds: number): string {
  const parts = [
    `${name}=${encodeURIComponent(value)}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${maxAgeSeconds}`,
  ];
  if (isSecure(request)) parts.push("Secure");
  return parts.join("; ");
}

export function sessionCookie(request: Request, token: string, expiresAt: Date): string {
  return cookie(request, SESSION_COOKIE, token, Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000)));
}

export function clearSessionCookie(request: Request): string {
  return cookie(request, SESSION_COOKIE, "", 0);
}

/** The sign-in form's double-submit token: reuse the cookie's, or make one (and the Set-Cookie to send it). */
export function loginCsrf(request: Request): { token: string; setCookie: string | null } {
  const existing = readCookie(request, LOGIN_CSRF_COOKIE);
  if (existing && /^[\w-]{20,100}$/.test(existing)) return { token: existing, setCookie: null };
  const token = randomBytes(24).toString("base64url");
  return { token, setCookie: cookie(request, LOGIN_CSRF_COOKIE, token, 3600) };
}

/** The sign-in form's token matches its cookie. */
export function isValidLoginCsrf(request: Request, submitted: unknown): boolean {
  const expected = readCookie(request, LOGIN_CSRF_COOKIE);
  if (!expected || typeof submitted !== "string") return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A cross-site POST arrives with a foreign Origin; refuse it before looking at anything else. */
export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return true;
  const own = new URL(request.url).origin;
  const app = process.env.SHOPIFY_APP_URL ? new URL(process.env.SHOPIFY_APP_URL).origin : null;
  return origin === own || origin === app;
}

function forbidden(message: string): never {
  throw data({ error: { code: "forbidden", message } }, { status: 403 });
}

async function submittedCsrf(request: Request): Promise<unknown> {
  const header = request.headers.get("x-csrf-token");
  if (header) return header;
  const type = request.headers.get("content-type") ?? "";
  if (!type.includes("application/x-www-form-urlencoded") && !type.includes("multipart/form-data")) return null;
  try {
    return (await request.clone().formData()).get(CSRF_FIELD);
  } catch {
    return null;
  }
}

/**
 * The store a standalone request acts for. Without a live session: to the sign-in page (keeping where the
 * owner was going). For anything but GET/HEAD: a matching CSRF token and our own origin, or 403.
 */
export async function requireStandaloneContext(request: Request): Promise<StoreContext> {
  const { db } = getDatabase();
  const session = await getAdminSession(db, readCookie(request, SESSION_COOKIE));
  if (!session) {
    const url = new URL(request.url);
    const next = url.pathname.replace(/\.data$/, "") + url.search;
    throw redirect(`${LOGIN_PATH}?next=${encodeURIComponent(next)}`);
  }
  if (!SAFE_METHODS.has(request.method.toUpperCase())) {
    if (!isSameOrigin(request)) forbidden("cross-site request refused");
    if (!isValidCsrfToken(session.csrfToken, await submittedCsrf(request))) {
      forbidden("the form expired or did not come from this site; reload the page and try again");
    }
  }
  const store = await requireStore(db, session.storeId);
  return {
    mode: "standalone",
    storeId: session.storeId,
    store,
    db,
    base: STANDALONE_BASE,
    csrfToken: session.csrfToken,
    who: session.email,
    graphql: null,
  };
}

/**
 * Where to go after signing in: only a path inside the standalone admin, judged after the URL parser has
 * resolved dot-segments (/admin/../portal and /admin/%2e%2e/portal are /portal), and given back in that form.
 */
export function safeNext(next: string | null): string {
  if (!next?.startsWith("/") || next.startsWith("//") || /[\\\s]/.test(next)) return STANDALONE_BASE;
  let url: URL;
  try {
    url = new URL(next, "http://admin.invalid");
  } catch {
    return STANDALONE_BASE;
  }
  if (url.origin !== "http://admin.invalid" || !/^\/admin(\/|$)/.test(url.pathname)) return STANDALONE_BASE;
  if (url.pathname === LOGIN_PATH || url.pathname.startsWith(`${LOGIN_PATH}/`)) return STANDALONE_BASE;
  return url.pathname + url.search;
}
