import { randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { getCampaign } from "../campaigns/campaign-store.ts";
import { readBodyText } from "../http/body.ts";
import type { RequestContext } from "../http/context.ts";
import { createRateLimiter, type RateLimiter } from "../http/rate-limit.ts";
import { Html, html } from "../portal/html.ts";
import { localeFromAcceptLanguage, type Translator, translator } from "../portal/i18n.ts";
import { layout, type Page } from "../portal/pages.ts";
import { AppError } from "../shared/errors.ts";
import { findStoreByHandle, type Store } from "../stores/store.ts";
import { type OnboardingDeps, submitApplication } from "./applications.ts";
import { ApplicationInputSchema, MAX_PROFILE_URLS } from "./forms.ts";
import { getProgramTerms } from "./program-settings.ts";

// The public application page, /apply/<store handle>[/<campaign id>]: server-rendered like the creator portal
// (same look, same catalog, English and French), with spam kept out without third parties: a honeypot field,
// a per-address limit and the database's one open application per email per store. The form's CSRF token is a
// double-submit cookie, as on the portal's sign-in form.

export const APPLY_CSRF_COOKIE = "tm_apply_csrf";
export const APPLICATIONS_PER_ADDRESS = 5;
export const APPLICATION_WINDOW_MS = 60 * 60 * 1000;
const MAX_FORM_BYTES = 16 * 1024;
const PATH = /^\/apply\/([^/]{1,60})(?:\/([\w-]{1,100}))?\/?$/;

export interface ApplyPageOptions extends OnboardingDeps {
  /** Applications one client address may send per APPLICATION_WINDOW_MS. */
  applicationsPerAddress?: number;
  limiter?: RateLimiter;
}

const FormSchema = z
  .object({
    csrf: z.string().max(200),
    website: z.string().max(500).default(""),
    name: z.string().max(300).default(""),
    email: z.string().max(400).default(""),
    profiles: z.string().max(4000).default(""),
    audience: z.string().max(30).default(""),
    country: z.string().max(10).default(""),
    note: z.string().max(4000).default(""),
    consent: z.literal("yes").optional(),
    termsVersion: z.string().max(12).default(""),
  })
  .strict();
type Form = z.infer<typeof FormSchema>;

export interface ApplyPage {
  /** Answers /apply/*; null for any other path. */
  route(request: Request, ctx: RequestContext): Promise<Response> | null;
}

export function createApplyPage(options: ApplyPageOptions): ApplyPage {
  const now = options.now ?? (() => new Date());
  const limiter =
    options.limiter ??
    createRateLimiter({
      name: "creator-applications",
      limit: options.applicationsPerAddress ?? APPLICATIONS_PER_ADDRESS,
      windowMs: APPLICATION_WINDOW_MS,
    });

  async function handle(request: Request, match: RegExpExecArray, ctx: RequestContext, f: Translator) {
    const store = await findStoreByHandle(options.db, decodeSafe(match[1]!));
    if (store?.status !== "active") return message(f, f.t("error.notFound"), f.t("apply.noStore"), 404);
    let campaign: { id: string; name: string } | null = null;
    if (match[2]) {
      const found = await getCampaign(options.db, store.id, match[2]);
      if (!found || found.status === "ended") return message(f, f.t("error.notFound"), f.t("apply.closed"), 404);
      campaign = found;
    }
    const url = new URL(request.url);
    const self = url.pathname;
    if (request.method === "GET" || request.method === "HEAD") {
      if (url.searchParams.get("sent") === "1" || url.searchParams.get("sent") === "approved")
        return message(
          f,
          f.t("apply.sentTitle"),
          f.t(url.searchParams.get("sent") === "approved" ? "apply.approved" : "apply.sent", { store: store.name }),
          200,
        );
      return form(request, f, store, campaign, self, {});
    }
    if (request.method !== "POST")
      return new Response("method not allowed", { status: 405, headers: { allow: "GET, POST" } });
    const parsed = FormSchema.safeParse(
      Object.fromEntries(new URLSearchParams(await readBodyText(request, MAX_FORM_BYTES))),
    );
    const expected = cookieOf(request, APPLY_CSRF_COOKIE);
    if (!parsed.success) return message(f, f.t("error.invalidForm"), f.t("apply.badInput"), 400);
    if (!expected || !sameToken(expected, parsed.data.csrf))
      return message(f, f.t("error.formExpired"), f.t("error.formExpiredBody"), 403);
    const data = parsed.data;
    // A filled honeypot is a bot: it is told what a person would be told, and nothing is kept.
    if (data.website.trim() !== "") return redirect(`${self}?sent=1`);
    if (ctx.clientIp) {
      const wait = await limiter.take(ctx.clientIp, now().getTime());
      if (wait > 0) {
        const page = message(f, f.t("error.notAvailable"), f.t("apply.tooMany"), 429);
        page.headers.set("retry-after", String(wait));
        return page;
      }
    }
    const input = inputOf(data);
    const checked = ApplicationInputSchema.safeParse(input);
    if (!checked.success) {
      const errors: Record<string, string> = {};
      for (const issue of checked.error.issues) errors[String(issue.path[0] ?? "form")] ??= issue.message;
      return form(request, f, store, campaign, self, { values: data, errors }, 400);
    }
    try {
      const result = await submitApplication(options, store.id, input, { campaignId: campaign?.id ?? null });
      return redirect(`${self}?sent=${result.approved ? "approved" : "1"}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const field = (error.details as { path?: string }[] | undefined)?.[0]?.path ?? "form";
      const text =
        field === "email" && error.code === "conflict"
          ? f.t("apply.already")
          : field === "consent"
            ? error.code === "conflict"
              ? f.t("apply.termsChanged")
              : f.t("apply.consentRequired")
            : error.message;
      return form(request, f, store, campaign, self, { values: data, errors: { [field]: text } }, error.status);
    }
  }

  async function form(
    request: Request,
    f: Translator,
    store: Store,
    campaign: { id: string; name: string } | null,
    self: string,
    state: { values?: Form; errors?: Record<string, string> },
    status = 200,
  ): Promise<Response> {
    const { t } = f;
    const terms = await getProgramTerms(options.db, store.id);
    const token = cookieOf(request, APPLY_CSRF_COOKIE) ?? randomBytes(24).toString("base64url");
    const v = state.values;
    const errors = state.errors ?? {};
    const err = (field: string) =>
      errors[field] ? html`<span class="error" id="err-${field}"> ${errors[field]}</span>` : "";
    const aria = (field: string) =>
      errors[field] ? Html.trusted(` aria-invalid="true" aria-describedby="err-${field}"`) : "";
    const title = campaign
      ? t("apply.titleCampaign", { store: store.name, campaign: campaign.name })
      : t("apply.title", { store: store.name });
    const body = html`<div class="card"><p>${t("apply.intro", { store: store.name })}</p>
${Object.keys(errors).length > 0 ? html`<p class="error" role="alert">${t("apply.fixErrors")}${errors.form ? html` ${errors.form}` : ""}</p>` : ""}
<form method="post" action="${self}" id="apply-form">
<input type="hidden" name="csrf" value="${token}"><input type="hidden" name="termsVersion" value="${terms.termsVersion}">
<div class="hp" aria-hidden="true"><label>${t("apply.website")} <input type="text" name="website" tabindex="-1" autocomplete="off"></label></div>
<label>${t("apply.name")} <input type="text" name="name" required maxlength="200" autocomplete="name" value="${v?.name ?? ""}"${aria("name")}>${err("name")}</label>
<label>${t("apply.email")} <input type="email" name="email" required maxlength="320" autocomplete="email" value="${v?.email ?? ""}"${aria("email")}>${err("email")}</label>
<label>${t("apply.profiles")}<br><textarea name="profiles" rows="3"${aria("profileUrls")}>${v?.profiles ?? ""}</textarea>${err("profileUrls")}</label>
<label>${t("apply.audience")} <input type="number" name="audience" min="0" step="1" value="${v?.audience ?? ""}"${aria("audienceSize")}>${err("audienceSize")}</label>
<label>${t("apply.country")} <input type="text" name="country" maxlength="2" autocomplete="country" value="${v?.country ?? ""}"${aria("country")}>${err("country")}</label>
<label>${t("apply.note")}<br><textarea name="note" rows="4" maxlength="2000"${aria("note")}>${v?.note ?? ""}</textarea>${err("note")}</label>
${
  terms.termsVersion > 0
    ? html`<h2>${t("apply.terms")}</h2><div class="note terms" id="terms">${terms.terms}</div>
<label><input type="checkbox" name="consent" value="yes" required${aria("consent")}> ${t("apply.consent")}</label>${err("consent")}`
    : ""
}
<p><button class="primary">${t("apply.submit")}</button></p></form></div>`;
    const page: Page = { title, body };
    return respond(layout(page, f), status, f, {
      "set-cookie": `${APPLY_CSRF_COOKIE}=${token}; Path=/apply; HttpOnly; SameSite=Lax; Max-Age=3600${new URL(request.url).protocol === "https:" ? "; Secure" : ""}`,
    });
  }

  return {
    route(request, ctx) {
      const { pathname } = new URL(request.url);
      if (pathname !== "/apply" && !pathname.startsWith("/apply/")) return null;
      const f = translator(localeFromAcceptLanguage(request.headers.get("accept-language")));
      const match = PATH.exec(pathname);
      if (!match) return Promise.resolve(message(f, f.t("error.notFound"), f.t("apply.noStore"), 404));
      return handle(request, match, ctx, f).catch((error: unknown) => {
        if (error instanceof AppError && error.status < 500) {
          const text = error.code === "payload_too_large" ? f.t("apply.badInput") : error.message;
          return message(f, f.t("error.wrong"), text, error.status);
        }
        console.error("application page error", error);
        return message(f, f.t("error.failed"), f.t("error.tryAgain"), 500);
      });
    },
  };
}

/** The form's text as the use case's input: profiles one per line, numbers parsed, blanks as null. */
function inputOf(data: Form) {
  const profiles = data.profiles
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const audience = data.audience.trim();
  return {
    name: data.name,
    email: data.email.trim(),
    profileUrls: profiles.slice(0, MAX_PROFILE_URLS + 1),
    audienceSize: audience === "" ? null : /^\d{1,11}$/.test(audience) ? Number(audience) : -1,
    country: data.country.trim() === "" ? null : data.country,
    note: data.note.trim() === "" ? null : data.note,
    termsVersion: /^\d{1,9}$/.test(data.termsVersion) ? Number(data.termsVersion) : null,
    consent: data.consent === "yes",
  };
}

function message(f: Translator, title: string, text: string, status: number): Response {
  const body = html`<div class="card"><p class="note" role="${status < 400 ? "status" : "alert"}">${text}</p></div>`;
  return respond(layout({ title, body }, f), status, f);
}

const SECURITY_HEADERS = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

function respond(body: Html, status: number, f: Translator, headers: Record<string, string> = {}): Response {
  return new Response(String(body), {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-language": f.locale,
      vary: "Accept-Language, Cookie",
      ...SECURITY_HEADERS,
      ...headers,
    },
  });
}

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location, ...SECURITY_HEADERS } });
}

function cookieOf(request: Request, name: string): string | null {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function decodeSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return "";
  }
}
