import { z } from "zod";
import type { Db } from "../db/client.ts";
import { readBodyText } from "../http/body.ts";
import type { RequestContext } from "../http/context.ts";
import { createRateLimiter } from "../http/rate-limit.ts";
import { setCreatorPayoutMethod, startStripeOnboarding } from "../payouts/payout-settings.ts";
import type { StripeConnectProvider } from "../payouts/stripe-provider.ts";
import { AppError } from "../shared/errors.ts";
import { type Html, html } from "./html.ts";
import type { Mailer } from "./mailer.ts";
import {
  badLinkPage,
  checkEmailPage,
  confirmSignInPage,
  layout,
  messagePage,
  overviewPage,
  type Page,
  payoutMethodPage,
  payoutsPage,
  signInPage,
} from "./pages.ts";
import { creatorOfEmail, portalOverview, portalPayoutMethods, portalPayouts } from "./portal-data.ts";
import {
  createCreatorSignInToken,
  endPortalSession,
  getPortalSession,
  isCreatorSignInTokenUsable,
  isValidCsrfToken,
  newToken,
  type PortalSession,
  redeemCreatorSignInToken,
  SESSION_TTL_MS,
  SIGN_IN_LINK_ADDRESS_WINDOW_MS,
  SIGN_IN_LINK_REQUESTS_PER_ADDRESS,
} from "./sessions.ts";

// The creator portal at /portal/*: sign-in by emailed link, then the creator's own links, earnings, payouts
// and payout method across every store that knows their email. Server-rendered HTML, no framework.

export { escapeHtml, Html, html } from "./html.ts";
export { createLogMailer, createMemoryMailer, createSmtpMailer, type Mailer, type SignInMail } from "./mailer.ts";
export {
  creatorsOfEmail,
  EARNING_STATUSES,
  type Earnings,
  type PortalCreator,
  type PortalLinkRow,
  type PortalOverview,
  type PortalPayout,
  type PortalPayoutMethod,
  portalOverview,
  portalPayoutMethods,
  portalPayouts,
} from "./portal-data.ts";
export {
  createCreatorSignInToken,
  getPortalSession,
  isCreatorSignInTokenUsable,
  MAX_PENDING_SIGN_IN_LINKS,
  purgePortalSessions,
  redeemCreatorSignInToken,
  SESSION_TTL_MS,
  SIGN_IN_LINK_ADDRESS_WINDOW_MS,
  SIGN_IN_LINK_REQUESTS_PER_ADDRESS,
  SIGN_IN_LINK_TTL_MS,
  SIGN_IN_LINK_WINDOW_MS,
} from "./sessions.ts";

export interface PortalOptions {
  db: Db;
  /** The public base URL of this server: sign-in links and tracking URLs start with it. */
  publicUrl: string;
  mailer: Mailer;
  /** Stripe Connect, when configured: creators may then onboard from the payout method page. */
  stripe?: Pick<StripeConnectProvider, "createConnectedAccount" | "createOnboardingLink">;
  /** Sign-in link requests one client address may make per SIGN_IN_LINK_ADDRESS_WINDOW_MS. */
  linkRequestsPerAddress?: number;
  now?: () => Date;
}

export interface Portal {
  /** Answers /portal and /portal/*; null for any other path. */
  route(request: Request, ctx: RequestContext): Promise<Response> | null;
}

export const SESSION_COOKIE = "tm_portal";
/** Before sign-in there is no session: the sign-in form's CSRF token is a double-submit cookie. */
export const SIGN_IN_CSRF_COOKIE = "tm_portal_csrf";
const MAX_FORM_BYTES = 8 * 1024;

const SignInFormSchema = z.object({ csrf: z.string(), email: z.string().trim().max(320) }).strict();
const RedeemFormSchema = z.object({ csrf: z.string(), token: z.string().min(1).max(200) }).strict();
const PayoutMethodFormSchema = z.discriminatedUnion("method", [
  z
    .object({ csrf: z.string(), creatorId: z.string(), method: z.literal("paypal"), paypalEmail: z.string().trim() })
    .strict(),
  z.object({ csrf: z.string(), creatorId: z.string(), method: z.literal("stripe") }).strict(),
]);
const EmailSchema = z.email();

export function createPortal(options: PortalOptions): Portal {
  const { db, mailer, stripe } = options;
  const publicUrl = options.publicUrl.replace(/\/+$/, "");
  const now = options.now ?? (() => new Date());
  // A second line behind the per-email limit, which is counted in the database; shared through Redis when set.
  const linkRequests = createRateLimiter({
    name: "portal-sign-in-links",
    limit: options.linkRequestsPerAddress ?? SIGN_IN_LINK_REQUESTS_PER_ADDRESS,
    windowMs: SIGN_IN_LINK_ADDRESS_WINDOW_MS,
  });

  async function handle(request: Request, pathname: string, ctx: RequestContext): Promise<Response> {
    const method = request.method;
    const session = await sessionOf(request);
    if (pathname === "/portal/sign-in") {
      if (method === "GET") return session ? redirect("/portal") : signInForm(request);
      if (method === "POST") return signIn(request, ctx);
      return notAllowed();
    }
    if (pathname === "/portal/auth") {
      // Mail scanners open links: the GET only shows a button, and the button's POST spends the token.
      if (method === "GET") return confirmSignIn(request);
      if (method === "POST") return redeem(request);
      return notAllowed();
    }
    if (pathname === "/portal/sign-out") {
      if (method !== "POST") return notAllowed();
      if (!session) return redirect("/portal/sign-in");
      const form = await readForm(request);
      if (!isValidCsrfToken(session.csrfToken, form.get("csrf"))) return forbidden(session);
      await endPortalSession(db, session.id);
      return redirect("/portal/sign-in", { "set-cookie": cookie(request, SESSION_COOKIE, "", 0) });
    }
    const known = ["/portal", "/portal/", "/portal/payouts", "/portal/payout-method"];
    if (!known.includes(pathname)) return page(messagePage("Not found", "There is no such page."), 404);
    if (!session) return redirect("/portal/sign-in");
    if (pathname === "/portal" || pathname === "/portal/") {
      if (method !== "GET") return notAllowed();
      return page(overviewPage(await portalOverview(db, session.emailHash), publicUrl, session.csrfToken));
    }
    if (pathname === "/portal/payouts") {
      if (method !== "GET") return notAllowed();
      return page(payoutsPage(await portalPayouts(db, session.emailHash), session.csrfToken));
    }
    if (method === "GET") {
      const saved = new URL(request.url).searchParams.get("saved") === "1";
      return page(
        payoutMethodPage({
          methods: await portalPayoutMethods(db, session.emailHash),
          csrfToken: session.csrfToken,
          stripeEnabled: stripe !== undefined,
          saved,
        }),
      );
    }
    if (method === "POST") return setPayoutMethod(request, session);
    return notAllowed();
  }

  async function sessionOf(request: Request): Promise<PortalSession | null> {
    const token = cookiesOf(request).get(SESSION_COOKIE);
    return token ? getPortalSession(db, token, now()) : null;
  }

  /** The sign-in forms' double-submit token: the browser's cookie, or a new one set with the page. */
  function signInCsrf(request: Request): { token: string; headers: Record<string, string> } {
    const token = cookiesOf(request).get(SIGN_IN_CSRF_COOKIE) ?? newToken();
    return { token, headers: { "set-cookie": cookie(request, SIGN_IN_CSRF_COOKIE, token, 60 * 60) } };
  }

  function signInForm(request: Request, status = 200, input: { email?: string; error?: string } = {}): Response {
    const csrf = signInCsrf(request);
    return page(signInPage({ csrfToken: csrf.token, ...input }), status, csrf.headers);
  }

  async function signIn(request: Request, ctx: RequestContext): Promise<Response> {
    const parsed = SignInFormSchema.safeParse(Object.fromEntries(await readForm(request)));
    const expected = cookiesOf(request).get(SIGN_IN_CSRF_COOKIE);
    if (!parsed.success || !expected || !isValidCsrfToken(expected, parsed.data.csrf)) return forbidden(null);
    const email = parsed.data.email;
    if (!EmailSchema.safeParse(email).success)
      return signInForm(request, 400, { email, error: "Enter an email address." });
    // Over either limit the answer is the same page, so it tells nothing about the address.
    if (ctx.clientIp && (await linkRequests.take(ctx.clientIp, now().getTime())) > 0) {
      console.warn(`creator sign-in links: too many requests from ${ctx.clientIp}; none sent`);
      return page(checkEmailPage(email));
    }
    const link = await createCreatorSignInToken(db, email, now());
    if (link) {
      // Not awaited: a slow mail server must not tell a known address from an unknown one by the answer's time.
      mailer
        .sendSignInLink({
          to: email,
          url: `${publicUrl}/portal/auth?token=${encodeURIComponent(link.token)}`,
          expiresAt: link.expiresAt,
        })
        .catch((error: unknown) => console.error("could not send a creator sign-in link", error));
    }
    return page(checkEmailPage(email));
  }

  async function confirmSignIn(request: Request): Promise<Response> {
    const token = new URL(request.url).searchParams.get("token");
    if (!token || token.length > 200 || !(await isCreatorSignInTokenUsable(db, token, now())))
      return page(badLinkPage(), 400);
    const csrf = signInCsrf(request);
    return page(confirmSignInPage({ csrfToken: csrf.token, token }), 200, csrf.headers);
  }

  async function redeem(request: Request): Promise<Response> {
    const parsed = RedeemFormSchema.safeParse(Object.fromEntries(await readForm(request)));
    const expected = cookiesOf(request).get(SIGN_IN_CSRF_COOKIE);
    if (!parsed.success || !expected || !isValidCsrfToken(expected, parsed.data.csrf)) return forbidden(null);
    const grant = await redeemCreatorSignInToken(db, parsed.data.token, now());
    if (!grant) return page(badLinkPage(), 400);
    return redirect("/portal", {
      "set-cookie": cookie(request, SESSION_COOKIE, grant.token, Math.floor(SESSION_TTL_MS / 1000)),
    });
  }

  async function setPayoutMethod(request: Request, session: PortalSession): Promise<Response> {
    const form = await readForm(request);
    if (!isValidCsrfToken(session.csrfToken, form.get("csrf"))) return forbidden(session);
    const parsed = PayoutMethodFormSchema.safeParse(Object.fromEntries(form));
    if (!parsed.success) return page(messagePage("Invalid form", "The form was not complete.", session.csrfToken), 400);
    const data = parsed.data;
    // The creator id comes from the form: it must be one of this email's creators, or it does not exist.
    const creator = await creatorOfEmail(db, session.emailHash, data.creatorId);
    if (!creator) return page(messagePage("Not found", "There is no such store.", session.csrfToken), 404);
    if (data.method === "paypal") {
      if (!EmailSchema.safeParse(data.paypalEmail).success) {
        return page(
          payoutMethodPage({
            methods: await portalPayoutMethods(db, session.emailHash),
            csrfToken: session.csrfToken,
            stripeEnabled: stripe !== undefined,
            error: {
              creatorId: creator.creatorId,
              message: "Enter a PayPal email address.",
              paypalEmail: data.paypalEmail,
            },
          }),
          400,
        );
      }
      await setCreatorPayoutMethod(db, creator.storeId, creator.creatorId, {
        method: "paypal",
        paypalEmail: data.paypalEmail,
      });
      return redirect("/portal/payout-method?saved=1");
    }
    if (!stripe) return page(messagePage("Not available", "Stripe payouts are not set up.", session.csrfToken), 400);
    const back = `${publicUrl}/portal/payout-method`;
    const link = await startStripeOnboarding(db, creator.storeId, creator.creatorId, stripe, {
      refreshUrl: back,
      returnUrl: back,
    });
    return redirect(link.url);
  }

  function forbidden(session: PortalSession | null): Response {
    return page(
      messagePage("Form expired", "The form had expired. Go back, reload the page and try again.", session?.csrfToken),
      403,
    );
  }

  return {
    route(request, ctx) {
      const { pathname } = new URL(request.url);
      if (pathname !== "/portal" && !pathname.startsWith("/portal/")) return null;
      return handle(request, pathname, ctx).catch((error: unknown) => {
        if (error instanceof AppError && error.status < 500)
          return page(messagePage("Something is wrong", error.message), error.status);
        console.error("creator portal error", error);
        return page(messagePage("Something went wrong", "Please try again in a moment."), 500);
      });
    },
  };
}

const SECURITY_HEADERS = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
};

function page(p: Page, status = 200, headers: Record<string, string> = {}): Response {
  return respond(layout(p), status, headers);
}

function respond(body: Html, status: number, headers: Record<string, string>): Response {
  return new Response(String(body), {
    status,
    headers: { "content-type": "text/html; charset=utf-8", ...SECURITY_HEADERS, ...headers },
  });
}

function redirect(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 303, headers: { location, ...SECURITY_HEADERS, ...headers } });
}

function notAllowed(): Response {
  return respond(html`method not allowed`, 405, { "content-type": "text/plain; charset=utf-8" });
}

async function readForm(request: Request): Promise<URLSearchParams> {
  return new URLSearchParams(await readBodyText(request, MAX_FORM_BYTES));
}

export function cookiesOf(request: Request): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

/** A portal cookie: httpOnly, SameSite=Lax, Secure when the request came over https; maxAge 0 deletes it. */
function cookie(request: Request, name: string, value: string, maxAgeSeconds: number): string {
  const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
  return `${name}=${value}; Path=/portal; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}
