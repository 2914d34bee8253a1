import { signOAuth1 } from "./oauth1.ts";

// A small WooCommerce REST client on fetch (the official npm client is unmaintained). It knows how to
// authenticate and how to turn WordPress's many ways of failing into a sentence a merchant can act on.

export type WooFailure =
  | "unreachable" // DNS, refused connection, TLS, timeout: wrong URL or store down
  | "not_wordpress" // answers, but not with the WordPress REST API
  | "rest_disabled" // WordPress REST API switched off by a plugin or the host
  | "no_woocommerce" // WordPress without WooCommerce's REST routes
  | "unauthorized" // keys wrong, revoked, or without the permission the call needs
  | "not_found" // a WooCommerce resource that does not exist
  | "rejected" // a 400: WooCommerce refused the request's content
  | "store_error"; // 5xx and other surprises

export class WooApiError extends Error {
  readonly failure: WooFailure;
  readonly status: number | null;
  readonly code: string | null;
  constructor(failure: WooFailure, message: string, status: number | null = null, code: string | null = null) {
    super(message);
    this.name = "WooApiError";
    this.failure = failure;
    this.status = status;
    this.code = code;
  }
}

/** Items per page asked of a collection: WooCommerce's maximum. */
export const WOO_PAGE_SIZE = 100;

/** The REST route of orders, which reconciliation lists and deletion reads one by one. */
export const ORDERS_ROUTE = "/wc/v3/orders";

export interface WooClientOptions {
  url: string;
  consumerKey: string;
  consumerSecret: string;
  fetch?: typeof fetch;
  now?: () => Date;
  timeoutMs?: number;
}

export interface WooResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export type QueryValue = string | number | boolean | undefined;

export interface WooClient {
  readonly baseUrl: string;
  request(
    method: string,
    route: string,
    init?: { query?: Record<string, QueryValue>; body?: unknown },
  ): Promise<WooResponse>;
  get(route: string, query?: Record<string, QueryValue>): Promise<WooResponse>;
  post(route: string, body: unknown): Promise<WooResponse>;
  put(route: string, body: unknown): Promise<WooResponse>;
  delete(route: string, query?: Record<string, QueryValue>): Promise<WooResponse>;
  /** The pages of a collection in order, following X-WP-TotalPages. */
  pages(route: string, query?: Record<string, QueryValue>): AsyncGenerator<unknown[]>;
  /** Every item of a paged collection. */
  getAll(route: string, query?: Record<string, QueryValue>): Promise<unknown[]>;
}

/** "shop.example.com/" or "https://shop.example.com/shop/" -> "https://shop.example.com/shop" */
export function normalizeStoreUrl(input: string): string {
  const text = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new WooApiError(
      "unreachable",
      `"${input}" is not a store URL; use the address of the shop, such as https://shop.example.com`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new WooApiError("unreachable", `"${input}" is not an http(s) URL`);
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

interface WpErrorBody {
  code?: unknown;
  message?: unknown;
}

function wpError(body: unknown): { code: string | null; message: string | null } {
  if (typeof body !== "object" || body === null) return { code: null, message: null };
  const { code, message } = body as WpErrorBody;
  return {
    code: typeof code === "string" ? code : null,
    message: typeof message === "string" ? message.replace(/<[^>]+>/g, "").trim() : null,
  };
}

const REST_DISABLED_CODES = new Set([
  "rest_disabled",
  "rest_cannot_access",
  "rest_login_required",
  "rest_not_logged_in",
  "rest_api_disabled",
]);

/** Turns a non-2xx WordPress answer into a WooApiError. Pure, so every branch is tested without a server. */
export function classifyWooFailure(input: {
  baseUrl: string;
  route: string;
  status: number;
  isJson: boolean;
  body: unknown;
}): WooApiError {
  const { baseUrl, route, status, isJson, body } = input;
  const { code, message } = wpError(body);
  const detail = message ? `: ${message}` : "";
  if (!isJson) {
    if (status === 404) {
      return new WooApiError(
        "not_wordpress",
        `${baseUrl} has no WordPress REST API (${route} answered 404 with a web page). Check the URL; if it is a WordPress site, set Settings → Permalinks to anything but "Plain".`,
        status,
      );
    }
    if (status === 401 || status === 403) {
      return new WooApiError(
        "rest_disabled",
        `${baseUrl} refused the REST API request (${status}); a security plugin, firewall or the host is blocking /wp-json`,
        status,
      );
    }
    return new WooApiError(
      "store_error",
      `${baseUrl} answered ${status} to ${route} with a web page instead of JSON; the site may be down or in maintenance`,
      status,
    );
  }
  if (code && REST_DISABLED_CODES.has(code)) {
    return new WooApiError(
      "rest_disabled",
      `the WordPress REST API is disabled on ${baseUrl} (${code})${detail}; allow /wp-json/wc/ in the plugin or host that disables it`,
      status,
      code,
    );
  }
  if (status === 401 || status === 403) {
    return new WooApiError(
      "unauthorized",
      `WooCommerce rejected the API keys (${status}${code ? ` ${code}` : ""})${detail}. Create a key with Read/Write permission under WooCommerce → Settings → Advanced → REST API and use its consumer key and secret.`,
      status,
      code,
    );
  }
  if (status === 404 && code === "rest_no_route") {
    if (/^\/wc\/v3(\/(system_status)?)?$/.test(route)) {
      return new WooApiError(
        "no_woocommerce",
        `WordPress at ${baseUrl} has no WooCommerce REST API (${route} not found): is WooCommerce installed and active?`,
        status,
        code,
      );
    }
    return new WooApiError(
      "no_woocommerce",
      `WooCommerce at ${baseUrl} does not know ${route}; it may be too old (3.5+ needed)`,
      status,
      code,
    );
  }
  if (status === 404) return new WooApiError("not_found", `${route} not found on ${baseUrl}${detail}`, status, code);
  if (status === 400)
    return new WooApiError("rejected", `WooCommerce rejected ${route} (${code ?? 400})${detail}`, status, code);
  return new WooApiError("store_error", `${baseUrl} answered ${status} to ${route}${detail}`, status, code);
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError" || error.name === "AbortError") return "timed out";
    const cause = (error as { cause?: unknown }).cause;
    const causeCode = typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined;
    if (typeof causeCode === "string") return causeCode;
    if (cause instanceof Error) return cause.message;
    return error.message;
  }
  return String(error);
}

function isJsonContentType(headers: Headers): boolean {
  return /\bjson\b/i.test(headers.get("content-type") ?? "");
}

export function createWooClient(options: WooClientOptions): WooClient {
  const baseUrl = normalizeStoreUrl(options.url);
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 30_000;
  const secure = baseUrl.startsWith("https:");

  function urlFor(method: string, route: string, query: Record<string, QueryValue> = {}): URL {
    const url = new URL(`${baseUrl}/wp-json${route}`);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return secure ? url : signOAuth1(method, url, { key: options.consumerKey, secret: options.consumerSecret }, now());
  }

  async function request(
    method: string,
    route: string,
    init: { query?: Record<string, QueryValue>; body?: unknown } = {},
  ): Promise<WooResponse> {
    const url = urlFor(method, route, init.query);
    const headers = new Headers({ accept: "application/json", "user-agent": "Trailmark-WooCommerce-Bridge/0.1" });
    if (secure) {
      headers.set(
        "authorization",
        `Basic ${Buffer.from(`${options.consumerKey}:${options.consumerSecret}`).toString("base64")}`,
      );
    }
    if (init.body !== undefined) headers.set("content-type", "application/json");
    const doFetch = options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        redirect: "follow",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new WooApiError(
        "unreachable",
        `could not reach ${baseUrl} (${describeNetworkError(error)}); check the URL and that the store is online`,
      );
    }
    const isJson = isJsonContentType(response.headers);
    const text = await response.text();
    let body: unknown = text;
    if (isJson || /^\s*[[{]/.test(text)) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const parsedJson = typeof body !== "string";
    if (!response.ok) throw classifyWooFailure({ baseUrl, route, status: response.status, isJson: parsedJson, body });
    if (!parsedJson && text.trim() !== "") {
      throw new WooApiError(
        "not_wordpress",
        `${baseUrl}/wp-json${route} answered with a web page, not the WordPress REST API; check the store URL`,
        response.status,
      );
    }
    return { status: response.status, headers: response.headers, body: parsedJson ? body : null };
  }

  async function* pages(route: string, query: Record<string, QueryValue> = {}): AsyncGenerator<unknown[]> {
    for (let page = 1; ; page++) {
      const response = await request("GET", route, { query: { per_page: WOO_PAGE_SIZE, ...query, page } });
      if (!Array.isArray(response.body)) throw new WooApiError("store_error", `${route} did not return a list`);
      yield response.body;
      const totalPages = Number(response.headers.get("x-wp-totalpages") ?? "1");
      if (!Number.isFinite(totalPages) || page >= totalPages || response.body.length === 0) return;
    }
  }

  return {
    baseUrl,
    request,
    get: (route, query) => request("GET", route, { query }),
    post: (route, body) => request("POST", route, { body }),
    put: (route, body) => request("PUT", route, { body }),
    delete: (route, query) => request("DELETE", route, { query }),
    pages,
    async getAll(route, query) {
      const items: unknown[] = [];
      for await (const page of pages(route, query)) items.push(...page);
      return items;
    },
  };
}
