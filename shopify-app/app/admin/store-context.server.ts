import { data } from "@remix-run/node";
import type { Db } from "@trailmark/core/db";
import { AppError } from "@trailmark/core/shared";
import type { Store } from "@trailmark/core/stores";
import type { AdminGraphql } from "@trailmark/shopify";
import { getEnv } from "../env.server.ts";

// The admin pages are the same in both modes; only how a request proves which store it acts for differs.
// Embedded (under /app, inside Shopify admin): authenticate.admin and its session token. Standalone (under
// /admin, for WooCommerce and custom sites): the owner's session cookie, with a CSRF token on every action.
// A page's loader and action receive the mode's `requireStoreContext` and never read a store id from the
// request: every query they run is scoped by the context's storeId.

export type AdminMode = "embedded" | "standalone";

export interface StoreContext {
  mode: AdminMode;
  storeId: string;
  store: Store;
  db: Db;
  /** Where pages link to: /app or /admin. */
  base: string;
  /** The CSRF token forms post back (standalone); null when embedded (session tokens are not ambient). */
  csrfToken: string | null;
  /** The signed-in owner's email (standalone) or the shop domain (embedded). */
  who: string;
  /** Embedded only: the shop's Admin GraphQL, for repairing the web pixel. */
  graphql: AdminGraphql | null;
}

export type RequireStoreContext = (request: Request) => Promise<StoreContext>;

/**
 * The base of tracking links and the site script (PUBLIC_URL, as the CLI prints them), else SHOPIFY_APP_URL. Read
 * per call rather than at start-up, so a server that learns its own port (tests) can set it.
 */
export function publicUrl(): string {
  const configured = process.env.PUBLIC_URL?.trim();
  if (!configured) return getEnv().SHOPIFY_APP_URL;
  if (!/^https?:\/\/[^/\s]+/.test(configured))
    throw new Error(`PUBLIC_URL must be an http(s) URL, got "${configured}"`);
  return configured.replace(/\/+$/, "");
}

/** An AppError from core as the Response a Remix loader or action throws. */
export function toErrorResponse(error: unknown): unknown {
  if (error instanceof AppError) {
    return data({ error: { code: error.code, message: error.message } }, { status: error.status });
  }
  return error;
}

/** Runs a loader or action body, turning core's errors into HTTP errors. */
export async function handleErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toErrorResponse(error);
  }
}

export function notFound(what: string): never {
  throw data({ error: { code: "not_found", message: `${what} not found` } }, { status: 404 });
}

/** What an action answers when its form does not validate: the field errors, status 400. */
export function invalidForm(errors: Record<string, string>, values?: Record<string, unknown>) {
  return data({ ok: false as const, errors, values: values ?? null }, { status: 400 });
}

/** What every page's component needs to know about where it runs. */
export function shellOf(ctx: StoreContext) {
  return {
    mode: ctx.mode,
    base: ctx.base,
    csrfToken: ctx.csrfToken,
    storeName: ctx.store.name,
    currency: ctx.store.currency,
    platform: ctx.store.platform,
  };
}

/** The posted form of an action, and its `intent` (which of the page's forms was sent). */
export async function readForm(request: Request) {
  const form = await request.formData();
  const intent = typeof form.get("intent") === "string" ? String(form.get("intent")) : "";
  return { form, intent };
}

export type ActionResult =
  | { ok: true; intent: string; message: string; secret?: string | null }
  | { ok: false; intent: string; errors: Record<string, string> };

export function done(intent: string, message: string, secret: string | null = null) {
  return data<ActionResult>({ ok: true, intent, message, secret });
}

export function fail(intent: string, errors: Record<string, string>, status = 400) {
  return data<ActionResult>({ ok: false, intent, errors }, { status });
}

/**
 * Runs an action's use case: a store's own row that is not there is a 404 (as a row of another store is);
 * a conflict or an invalid value goes back to the form, on the field core named when it named one.
 */
export async function attempt(
  intent: string,
  run: () => Promise<ReturnType<typeof done> | Response>,
  /** The field a conflict or invalid value belongs to when core named none. */
  field = "form",
) {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AppError && (error.code === "invalid" || error.code === "conflict")) {
      const details = Array.isArray(error.details) ? (error.details as { path?: unknown; message?: unknown }[]) : [];
      const errors: Record<string, string> = {};
      for (const d of details) {
        if (typeof d.path === "string" && typeof d.message === "string") errors[d.path] ??= d.message;
      }
      if (Object.keys(errors).length === 0) errors[field] = error.message;
      return fail(intent, errors, error.status);
    }
    throw toErrorResponse(error);
  }
}
