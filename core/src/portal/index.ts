import { z } from "zod";
import type { Db } from "../db/client.ts";
import { readBodyText } from "../http/body.ts";
import type { RequestContext } from "../http/context.ts";
import { createRateLimiter } from "../http/rate-limit.ts";
import { OPTIONAL_KINDS } from "../mail/mail-kinds.ts";
import { mailSettingOf, setMailKind, setMailKinds, setMailLocale } from "../mail/mail-settings.ts";
import { readUnsubscribeToken, verifyUnsubscribeToken } from "../mail/unsubscribe-token.ts";
import { setCreatorPayoutMethod, startStripeOnboarding } from "../payouts/payout-settings.ts";
import type { StripeConnectProvider } from "../payouts/stripe-provider.ts";
import { AppError } from "../shared/errors.ts";
import { formatMinorUnits } from "../shared/money.ts";
import { type Html, html } from "./html.ts";
import { isLocale, type Locale, localeFromAcceptLanguage, type Translator, translator } from "./i18n.ts";
import type { Mailer } from "./mailer.ts";
import {
  badLinkPage,
  checkEmailPage,
  confirmSignInPage,
  conversionPage,
  conversionsPage,
  layout,
  linksPage,
  messagePage,
  overviewPage,
  type Page,
  PORTAL_SCRIPT,
  payoutPage,
  payoutsPage,
  settingsPage,
  signInPage,
  unsubscribePage,
} from "./pages.ts";
import { ACTIVITY_RANGES, type ActivityRange, creatorActivity } from "./portal-activity.ts";
import {
  CONVERSION_FILTERS,
  type ConversionFilter,
  earningsCsv,
  portalConversion,
  portalConversions,
  portalEarnings,
} from "./portal-conversions.ts";
import { creatorOfEmail, creatorsOfEmail, portalLinks, portalOverview, portalPayoutMethods } from "./portal-data.ts";
import { portalPayout, portalPayouts } from "./portal-payouts.ts";
import { qrSvg } from "./qr.ts";
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

// The creator portal at /portal/*: sign-in by emailed link, then the creator's results across every store that
// knows their email: overview, links and codes, conversions with their reasons, payouts, settings.
// Server-rendered HTML, no framework; one small script for the Copy buttons.

export { escapeHtml, Html, html } from "./html.ts";
export { LOCALES, type Locale, localeFromAcceptLanguage, translator } from "./i18n.ts";
export {
  createLogMailer,
  createMemoryMailer,
  createSmtpMailer,
  type Mailer,
  type MessageMailer,
  type OutgoingMail,
  type SignInMail,
} from "./mailer.ts";
export { creatorActivity } from "./portal-activity.ts";
export { maskReference, portalConversion, portalConversions, portalEarnings } from "./portal-conversions.ts";
export {
  creatorsOfEmail,
  EARNING_STATUSES,
  type Earnings,
  type PortalCreator,
  type PortalLink,
  type PortalOverview,
  type PortalPayoutMethod,
  type PortalStoreOverview,
  portalLinks,
  portalOverview,
  portalPayoutMethods,
} from "./portal-data.ts";
export { type PortalPayout, portalPayout, portalPayouts } from "./portal-payouts.ts";
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
/** The language chosen on the settings page; without it, Accept-Language decides. */
export const LOCALE_COOKIE = "tm_portal_lang";
const MAX_FORM_BYTES = 8 * 1024;
const ID_PATTERN = /^[\w-]{1,100}$/;

const SignInFormSchema = z.object({ csrf: z.string(), email: z.string().trim().max(320) }).strict();
const RedeemFormSchema = z.object({ csrf: z.string(), token: z.string().min(1).max(200) }).strict();
const PayoutMethodFormSchema = z.discriminatedUnion("method", [
  z
    .object({ csrf: z.string(), creatorId: z.string(), method: z.literal("paypal"), paypalEmail: z.string().trim() })
    .strict(),
  z.object({ csrf: z.string(), creatorId: z.string(), method: z.literal("stripe") }).strict(),
]);
const LocaleFormSchema = z
  .object({ csrf: z.string(), locale: z.union([z.enum(["en", "fr"]), z.literal("")]) })
  .strict();
const EmailSchema = z.email();
const NotificationsFormSchema = z.object({
  csrf: z.string(),
  creatorId: z.string(),
  kinds: z.array(z.enum(OPTIONAL_KINDS)),
});

type Route =
  | {
      name:
        | "overview"
        | "links"
        | "conversions"
        | "payouts"
        | "csv"
        | "settings"
        | "language"
        | "notifications"
        | "legacy-method";
    }
  | { name: "conversion" | "payout"; id: string };

/** The signed-in pages; null for a path the portal does not have. */
function routeOf(pathname: string): Route | null {
  switch (pathname) {
    case "/portal":
    case "/portal/":
      return { name: "overview" };
    case "/portal/links":
      return { name: "links" };
    case "/portal/conversions":
      return { name: "conversions" };
    case "/portal/payouts":
      return { name: "payouts" };
    case "/portal/earnings.csv":
      return { name: "csv" };
    case "/portal/settings":
      return { name: "settings" };
    case "/portal/settings/language":
      return { name: "language" };
    case "/portal/settings/notifications":
      return { name: "notifications" };
    case "/portal/payout-method":
      return { name: "legacy-method" };
  }
  const detail = /^\/portal\/(conversions|payouts)\/([^/]+)$/.exec(pathname);
  if (detail && ID_PATTERN.test(detail[2]!))
    return { name: detail[1] === "conversions" ? "conversion" : "payout", id: detail[2]! };
  return null;
}

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

  async function handle(request: Request, url: URL, ctx: RequestContext, f: Translator): Promise<Response> {
    const { pathname } = url;
    const method = request.method;
    if (pathname === "/portal/assets/portal.js") {
      if (method !== "GET" && method !== "HEAD") return notAllowed();
      return new Response(PORTAL_SCRIPT, {
        headers: {
          "content-type": "text/javascript; charset=utf-8",
          "cache-control": "public, max-age=3600",
          "x-content-type-options": "nosniff",
        },
      });
    }
    const session = await sessionOf(request);
    const page = (p: Page, status = 200, headers: Record<string, string> = {}) => respondPage(p, f, status, headers);
    if (pathname === "/portal/sign-in") {
      if (method === "GET") return session ? redirect("/portal") : signInForm(request, f);
      if (method === "POST") return signIn(request, ctx, f);
      return notAllowed();
    }
    if (pathname === "/portal/auth") {
      // Mail scanners open links: the GET only shows a button, and the button's POST spends the token.
      if (method === "GET") return confirmSignIn(request, f);
      if (method === "POST") return redeem(request, f);
      return notAllowed();
    }
    if (pathname === "/portal/sign-out") {
      if (method !== "POST") return notAllowed();
      if (!session) return redirect("/portal/sign-in");
      const form = await readForm(request);
      if (!isValidCsrfToken(session.csrfToken, form.get("csrf"))) return forbidden(session, f);
      await endPortalSession(db, session.id);
      return redirect("/portal/sign-in", { "set-cookie": cookie(request, SESSION_COOKIE, "", 0) });
    }
    if (pathname === "/portal/unsubscribe") {
      // No sign-in: the signed token is the authority. GET only asks (mail scanners open links); the POST, from
      // the page's button or a mail client's one-click unsubscribe (RFC 8058), turns the kind off.
      if (method === "GET") return unsubscribe(request, url, f, false);
      if (method === "POST") return unsubscribe(request, url, f, true);
      return notAllowed();
    }
    const route = routeOf(pathname);
    if (!route) return page(messagePage(f, f.t("error.notFound"), f.t("error.noPage")), 404);
    if (!session) return redirect("/portal/sign-in");
    const { emailHash, csrfToken } = session;
    const notFound = () => page(messagePage(f, f.t("error.notFound"), f.t("error.noPage"), csrfToken), 404);
    const posting =
      route.name === "settings" ||
      route.name === "language" ||
      route.name === "notifications" ||
      route.name === "legacy-method";
    if (method !== "GET" && !(posting && method === "POST")) return notAllowed();
    switch (route.name) {
      case "overview": {
        const range = rangeOf(url.searchParams.get("range"));
        const at = now();
        const overview = await portalOverview(db, emailHash, at);
        const stores = await Promise.all(
          overview.stores.map(async (s) => ({ ...s, activity: await creatorActivity(db, s, range, at) })),
        );
        return page(overviewPage(f, { stores, range, csrfToken }));
      }
      case "links": {
        const links = await portalLinks(db, emailHash);
        const withQr = await Promise.all(
          links.map(async (l) => {
            if (l.code === null) return { ...l, url: null, qr: null };
            const linkUrl = `${publicUrl}/c/${l.code}`;
            return { ...l, url: linkUrl, qr: await qrSvg(linkUrl, f.t("links.qr", { url: linkUrl })) };
          }),
        );
        return page(linksPage(f, { links: withQr, csrfToken }));
      }
      case "conversions": {
        const filter = filterOf(url.searchParams.get("status"));
        const pageNumber = Number.parseInt(url.searchParams.get("page") ?? "1", 10);
        const result = await portalConversions(db, emailHash, {
          filter,
          page: Number.isSafeInteger(pageNumber) ? pageNumber : 1,
        });
        return page(conversionsPage(f, { ...result, filter, csrfToken }));
      }
      case "conversion": {
        const detail = await portalConversion(db, emailHash, route.id);
        return detail ? page(conversionPage(f, { detail, csrfToken })) : notFound();
      }
      case "payouts":
        return page(payoutsPage(f, { payouts: await portalPayouts(db, emailHash), csrfToken }));
      case "payout": {
        const found = await portalPayout(db, emailHash, route.id);
        return found ? page(payoutPage(f, { ...found, csrfToken })) : notFound();
      }
      case "csv": {
        const csv = earningsCsv(await portalEarnings(db, emailHash), (amount, currency) =>
          formatMinorUnits(amount, currency),
        );
        return new Response(csv, {
          headers: {
            ...SECURITY_HEADERS,
            "content-type": "text/csv; charset=utf-8",
            "content-disposition": `attachment; filename="trailmark-earnings-${now().toISOString().slice(0, 10)}.csv"`,
          },
        });
      }
      case "language":
        return setLanguage(request, session, f);
      case "notifications":
        if (method === "GET") return redirect("/portal/settings");
        return setNotifications(request, session, f);
      case "legacy-method":
        // The page's old address, which Stripe onboarding links made before still return to.
        if (method === "GET") return redirect(`/portal/settings${url.search}`);
        return setPayoutMethod(request, session, f);
      case "settings":
        if (method === "POST") return setPayoutMethod(request, session, f);
        return page(
          settingsPage(f, {
            methods: await portalPayoutMethods(db, emailHash),
            csrfToken,
            stripeEnabled: stripe !== undefined,
            saved: url.searchParams.get("saved") === "1",
            chosenLocale: chosenLocale(request),
            notifications: await notificationsOf(emailHash),
          }),
        );
    }
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

  function signInForm(
    request: Request,
    f: Translator,
    status = 200,
    input: { email?: string; error?: string } = {},
  ): Response {
    const csrf = signInCsrf(request);
    return respondPage(signInPage(f, { csrfToken: csrf.token, ...input }), f, status, csrf.headers);
  }

  async function signIn(request: Request, ctx: RequestContext, f: Translator): Promise<Response> {
    const parsed = SignInFormSchema.safeParse(Object.fromEntries(await readForm(request)));
    const expected = cookiesOf(request).get(SIGN_IN_CSRF_COOKIE);
    if (!parsed.success || !expected || !isValidCsrfToken(expected, parsed.data.csrf)) return forbidden(null, f);
    const email = parsed.data.email;
    if (!EmailSchema.safeParse(email).success)
      return signInForm(request, f, 400, { email, error: f.t("signIn.invalidEmail") });
    // Over either limit the answer is the same page, so it tells nothing about the address.
    if (ctx.clientIp && (await linkRequests.take(ctx.clientIp, now().getTime())) > 0) {
      console.warn(`creator sign-in links: too many requests from ${ctx.clientIp}; none sent`);
      return respondPage(checkEmailPage(f, email), f);
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
    return respondPage(checkEmailPage(f, email), f);
  }

  async function confirmSignIn(request: Request, f: Translator): Promise<Response> {
    const token = new URL(request.url).searchParams.get("token");
    if (!token || token.length > 200 || !(await isCreatorSignInTokenUsable(db, token, now())))
      return respondPage(badLinkPage(f), f, 400);
    const csrf = signInCsrf(request);
    return respondPage(confirmSignInPage(f, { csrfToken: csrf.token, token }), f, 200, csrf.headers);
  }

  async function redeem(request: Request, f: Translator): Promise<Response> {
    const parsed = RedeemFormSchema.safeParse(Object.fromEntries(await readForm(request)));
    const expected = cookiesOf(request).get(SIGN_IN_CSRF_COOKIE);
    if (!parsed.success || !expected || !isValidCsrfToken(expected, parsed.data.csrf)) return forbidden(null, f);
    const grant = await redeemCreatorSignInToken(db, parsed.data.token, now());
    if (!grant) return respondPage(badLinkPage(f), f, 400);
    return redirect("/portal", {
      "set-cookie": cookie(request, SESSION_COOKIE, grant.token, Math.floor(SESSION_TTL_MS / 1000)),
    });
  }

  async function setLanguage(request: Request, session: PortalSession, f: Translator): Promise<Response> {
    const form = await readForm(request);
    if (!isValidCsrfToken(session.csrfToken, form.get("csrf"))) return forbidden(session, f);
    const parsed = LocaleFormSchema.safeParse(Object.fromEntries(form));
    if (!parsed.success)
      return respondPage(
        messagePage(f, f.t("error.invalidForm"), f.t("error.incompleteForm"), session.csrfToken),
        f,
        400,
      );
    const locale = parsed.data.locale;
    // Mails are written in the language the creator chose here (the browser's is unknown when mailing).
    await setMailLocale(db, await creatorsOfEmail(db, session.emailHash), locale || null);
    return redirect("/portal/settings?saved=1", {
      "set-cookie": locale
        ? cookie(request, LOCALE_COOKIE, locale, 365 * 24 * 60 * 60)
        : cookie(request, LOCALE_COOKIE, "", 0),
    });
  }

  async function notificationsOf(emailHash: string) {
    return Promise.all(
      (await creatorsOfEmail(db, emailHash)).map(async (c) => ({
        storeId: c.storeId,
        creatorId: c.creatorId,
        storeName: c.storeName,
        off: (await mailSettingOf(db, c.storeId, c.creatorId)).off,
      })),
    );
  }

  async function setNotifications(request: Request, session: PortalSession, f: Translator): Promise<Response> {
    const form = await readForm(request);
    if (!isValidCsrfToken(session.csrfToken, form.get("csrf"))) return forbidden(session, f);
    const parsed = NotificationsFormSchema.safeParse({
      csrf: form.get("csrf"),
      creatorId: form.get("creatorId"),
      kinds: form.getAll("kind"),
    });
    if (!parsed.success)
      return respondPage(
        messagePage(f, f.t("error.invalidForm"), f.t("error.incompleteForm"), session.csrfToken),
        f,
        400,
      );
    const creator = await creatorOfEmail(db, session.emailHash, parsed.data.creatorId);
    if (!creator)
      return respondPage(messagePage(f, f.t("error.notFound"), f.t("error.noStore"), session.csrfToken), f, 404);
    await setMailKinds(db, creator.storeId, creator.creatorId, parsed.data.kinds);
    return redirect("/portal/settings?saved=1");
  }

  async function unsubscribe(request: Request, url: URL, f: Translator, apply: boolean): Promise<Response> {
    const token = apply
      ? (url.searchParams.get("token") ?? new URLSearchParams(await readBodyText(request, MAX_FORM_BYTES)).get("token"))
      : url.searchParams.get("token");
    const claim = token ? readUnsubscribeToken(token) : null;
    const store = claim
      ? await db.store.findUnique({ where: { id: claim.storeId }, select: { name: true, hashKey: true } })
      : null;
    const verified = store && token ? verifyUnsubscribeToken(store.hashKey, token) : null;
    if (!store || !token || !verified)
      return respondPage(messagePage(f, f.t("unsubscribe.title"), f.t("unsubscribe.bad")), f, 400);
    if (apply) await setMailKind(db, verified.storeId, verified.creatorId, verified.kind, false);
    return respondPage(unsubscribePage(f, { token, storeName: store.name, kind: verified.kind, done: apply }), f, 200);
  }

  async function setPayoutMethod(request: Request, session: PortalSession, f: Translator): Promise<Response> {
    const form = await readForm(request);
    if (!isValidCsrfToken(session.csrfToken, form.get("csrf"))) return forbidden(session, f);
    const parsed = PayoutMethodFormSchema.safeParse(Object.fromEntries(form));
    if (!parsed.success)
      return respondPage(
        messagePage(f, f.t("error.invalidForm"), f.t("error.incompleteForm"), session.csrfToken),
        f,
        400,
      );
    const data = parsed.data;
    // The creator id comes from the form: it must be one of this email's creators, or it does not exist.
    const creator = await creatorOfEmail(db, session.emailHash, data.creatorId);
    if (!creator)
      return respondPage(messagePage(f, f.t("error.notFound"), f.t("error.noStore"), session.csrfToken), f, 404);
    if (data.method === "paypal") {
      if (!EmailSchema.safeParse(data.paypalEmail).success) {
        return respondPage(
          settingsPage(f, {
            methods: await portalPayoutMethods(db, session.emailHash),
            csrfToken: session.csrfToken,
            stripeEnabled: stripe !== undefined,
            chosenLocale: chosenLocale(request),
            error: {
              creatorId: creator.creatorId,
              message: f.t("settings.enterPaypal"),
              paypalEmail: data.paypalEmail,
            },
          }),
          f,
          400,
        );
      }
      await setCreatorPayoutMethod(db, creator.storeId, creator.creatorId, {
        method: "paypal",
        paypalEmail: data.paypalEmail,
      });
      return redirect("/portal/settings?saved=1");
    }
    if (!stripe)
      return respondPage(messagePage(f, f.t("error.notAvailable"), f.t("error.stripeOff"), session.csrfToken), f, 400);
    const back = `${publicUrl}/portal/settings`;
    const link = await startStripeOnboarding(db, creator.storeId, creator.creatorId, stripe, {
      refreshUrl: back,
      returnUrl: back,
    });
    return redirect(link.url);
  }

  function forbidden(session: PortalSession | null, f: Translator): Response {
    return respondPage(
      messagePage(f, f.t("error.formExpired"), f.t("error.formExpiredBody"), session?.csrfToken),
      f,
      403,
    );
  }

  return {
    route(request, ctx) {
      const url = new URL(request.url);
      const { pathname } = url;
      if (pathname !== "/portal" && !pathname.startsWith("/portal/")) return null;
      const f = translator(localeOf(request));
      return handle(request, url, ctx, f).catch((error: unknown) => {
        if (error instanceof AppError && error.status < 500)
          return respondPage(messagePage(f, f.t("error.wrong"), error.message), f, error.status);
        console.error("creator portal error", error);
        return respondPage(messagePage(f, f.t("error.failed"), f.t("error.tryAgain")), f, 500);
      });
    },
  };
}

function rangeOf(value: string | null): ActivityRange {
  const n = Number(value);
  return (ACTIVITY_RANGES as readonly number[]).includes(n) ? (n as ActivityRange) : 30;
}

function filterOf(value: string | null): ConversionFilter | null {
  return (CONVERSION_FILTERS as readonly string[]).includes(value ?? "") ? (value as ConversionFilter) : null;
}

function chosenLocale(request: Request): Locale | null {
  const value = cookiesOf(request).get(LOCALE_COOKIE);
  return isLocale(value) ? value : null;
}

/** The creator's chosen language, else the browser's (Accept-Language), else English. */
export function localeOf(request: Request): Locale {
  return chosenLocale(request) ?? localeFromAcceptLanguage(request.headers.get("accept-language"));
}

const SECURITY_HEADERS = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

function respondPage(p: Page, f: Translator, status = 200, headers: Record<string, string> = {}): Response {
  return respond(layout(p, f), status, { "content-language": f.locale, vary: "Accept-Language, Cookie", ...headers });
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
