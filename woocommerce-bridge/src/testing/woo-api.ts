import { createHmac } from "node:crypto";
import { type HttpHandler, HttpResponse, http } from "msw";

// A WooCommerce store's REST API for msw: authentication as WC_REST_Authentication does it, the webhooks
// and orders endpoints with WordPress's paging headers, and the ways a real store fails.

export type FakeBehaviour = "ok" | "down" | "no-woocommerce" | "not-wordpress" | "rest-disabled";

export interface FakeWebhook {
  id: number;
  name: string;
  status: "active" | "paused" | "disabled";
  topic: string;
  delivery_url: string;
  secret: string;
}

export interface FakeWooStoreOptions {
  url?: string;
  key?: string;
  secret?: string;
  currency?: string;
  /** "read" keys fail every write with 401, like a key created with Read permission. */
  permissions?: "read" | "read_write";
  orders?: Record<string, unknown>[];
  /** Order id -> its refunds as GET /orders/{id}/refunds lists them (wooRefundPayload in woo-orders.ts). */
  refunds?: Record<string, Record<string, unknown>[]>;
  webhooks?: (Partial<FakeWebhook> & { topic: string; delivery_url: string })[];
  behaviour?: FakeBehaviour;
  /**
   * Product id -> its category ids, as GET /products/{id} lists them; a product not named is in WooCommerce's
   * default category, Uncategorized (15). null: the product was deleted (404).
   */
  products?: Record<string, number[] | null>;
}

export interface FakeWooStore {
  url: string;
  key: string;
  secret: string;
  behaviour: FakeBehaviour;
  permissions: "read" | "read_write";
  webhooks: FakeWebhook[];
  orders: Record<string, unknown>[];
  refunds: Record<string, Record<string, unknown>[]>;
  products: Record<string, number[] | null>;
  /** Coupons as WooCommerce returns them (status publish, or trash after DELETE ?force=false). */
  coupons: Record<string, unknown>[];
  /** Every request that reached the store, for assertions. */
  requests: { method: string; path: string; query: URLSearchParams; body: unknown }[];
  handlers: HttpHandler[];
}

export const TEST_CONSUMER_KEY = "ck_4f8a1c2e9b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f";
export const TEST_CONSUMER_SECRET = "cs_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d";

function wpError(status: number, code: string, message: string) {
  return HttpResponse.json({ code, message, data: { status } }, { status });
}

// WooCommerce's OAuth 1.0a check, transcribed from check_oauth_signature(): parameters sorted by key
// (strcmp), key and value rawurlencoded, "key=value" rawurlencoded again, joined with %26.
function rawurlencode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function checkOAuth(method: string, url: URL, secret: string): boolean {
  const params: Record<string, string> = {};
  url.searchParams.forEach((v, k) => {
    params[k] = v;
  });
  const given = params.oauth_signature;
  if (!given || !params.oauth_timestamp || !params.oauth_nonce) return false;
  delete params.oauth_signature;
  const keys = Object.keys(params).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const query = keys.map((k) => rawurlencode(`${rawurlencode(k)}=${rawurlencode(params[k]!)}`)).join("%26");
  const base = `${method}&${rawurlencode(`${url.origin}${url.pathname}`)}&${query}`;
  const algorithm = params.oauth_signature_method === "HMAC-SHA1" ? "sha1" : "sha256";
  const expected = createHmac(algorithm, `${secret}&`).update(base).digest("base64");
  return expected === given.replace(/ /g, "+");
}

/** A coupon object with the fields WooCommerce always returns (amounts as decimal strings). */
function couponJson(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    discount_type: "fixed_cart",
    description: "",
    individual_use: false,
    usage_limit: null,
    usage_limit_per_user: null,
    minimum_amount: "0.00",
    maximum_amount: "0.00",
    date_expires: null,
    date_expires_gmt: null,
    usage_count: 0,
    ...fields,
    amount: Number(fields.amount ?? 0).toFixed(2),
  };
}

export function fakeWooStore(options: FakeWooStoreOptions = {}): FakeWooStore {
  const store: FakeWooStore = {
    url: (options.url ?? "https://shop.example.com").replace(/\/$/, ""),
    key: options.key ?? TEST_CONSUMER_KEY,
    secret: options.secret ?? TEST_CONSUMER_SECRET,
    behaviour: options.behaviour ?? "ok",
    permissions: options.permissions ?? "read_write",
    webhooks: [],
    orders: options.orders ?? [],
    refunds: options.refunds ?? {},
    products: options.products ?? {},
    coupons: [],
    requests: [],
    handlers: [],
  };
  let nextWebhookId = 40;
  let nextCouponId = 720;
  for (const w of options.webhooks ?? []) {
    store.webhooks.push({
      id: w.id ?? nextWebhookId++,
      name: w.name ?? "Webhook",
      status: w.status ?? "active",
      secret: w.secret ?? "old",
      topic: w.topic,
      delivery_url: w.delivery_url,
    });
  }
  const api = `${store.url}/wp-json/wc/v3`;
  const currency = options.currency ?? "EUR";

  function webhookJson(w: FakeWebhook) {
    const [resource, event] = w.topic.split(".");
    return {
      id: w.id,
      name: w.name,
      status: w.status,
      topic: w.topic,
      resource,
      event,
      hooks: [`woocommerce_${resource}_${event}`],
      delivery_url: w.delivery_url,
      date_created: "2024-11-01T09:00:00",
      date_created_gmt: "2024-11-01T08:00:00",
      date_modified: "2024-11-01T09:00:00",
      date_modified_gmt: "2024-11-01T08:00:00",
      _links: { self: [{ href: `${api}/webhooks/${w.id}` }], collection: [{ href: `${api}/webhooks` }] },
    };
  }

  function paged<T>(items: T[], query: URLSearchParams) {
    const perPage = Number(query.get("per_page") ?? "10");
    const page = Number(query.get("page") ?? "1");
    const slice = items.slice((page - 1) * perPage, page * perPage);
    return HttpResponse.json(slice, {
      headers: {
        "X-WP-Total": String(items.length),
        "X-WP-TotalPages": String(Math.max(1, Math.ceil(items.length / perPage))),
      },
    });
  }

  /** Returns an error Response when the request is not allowed, as WooCommerce would answer it. */
  async function gate(request: Request, write: boolean): Promise<Response | null> {
    const url = new URL(request.url);
    const body =
      request.method === "GET" || request.method === "DELETE"
        ? undefined
        : await request
            .clone()
            .json()
            .catch(() => undefined);
    store.requests.push({ method: request.method, path: url.pathname, query: url.searchParams, body });
    if (store.behaviour === "down") return HttpResponse.error();
    if (store.behaviour === "not-wordpress") {
      return new HttpResponse("<!doctype html><title>Not Found</title><h1>404</h1>", {
        status: 404,
        headers: { "content-type": "text/html" },
      });
    }
    if (store.behaviour === "rest-disabled")
      return wpError(401, "rest_cannot_access", "Only authenticated users can access the REST API.");
    if (store.behaviour === "no-woocommerce")
      return wpError(404, "rest_no_route", "No route was found matching the URL and request method.");
    let authenticated = false;
    if (url.protocol === "https:") {
      const header = request.headers.get("authorization") ?? "";
      const basic = header.startsWith("Basic ") ? Buffer.from(header.slice(6), "base64").toString() : "";
      const [key, secret] = url.searchParams.get("consumer_key")
        ? [url.searchParams.get("consumer_key"), url.searchParams.get("consumer_secret")]
        : basic.split(":");
      if (key === store.key && secret !== store.secret)
        return wpError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.");
      authenticated = key === store.key && secret === store.secret;
    } else {
      const key = url.searchParams.get("oauth_consumer_key");
      if (key && key !== store.key)
        return wpError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.");
      if (key && !checkOAuth(request.method, url, store.secret)) {
        return wpError(
          401,
          "woocommerce_rest_authentication_error",
          "Invalid signature - provided signature does not match.",
        );
      }
      authenticated = key === store.key;
    }
    if (!authenticated) {
      return write
        ? wpError(401, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")
        : wpError(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.");
    }
    if (write && store.permissions === "read") {
      return wpError(
        401,
        "woocommerce_rest_authentication_error",
        "The API key provided does not have write permissions.",
      );
    }
    return null;
  }

  store.handlers = [
    http.get(`${api}/system_status`, async ({ request }) => {
      const denied = await gate(request, false);
      if (denied) return denied;
      return HttpResponse.json({
        environment: { home_url: store.url, site_url: store.url, version: "9.4.2", wp_version: "6.7.1" },
        settings: { currency, currency_symbol: "€" },
      });
    }),
    http.get(`${api}/webhooks`, async ({ request }) => {
      const denied = await gate(request, false);
      if (denied) return denied;
      const query = new URL(request.url).searchParams;
      const status = query.get("status") ?? "all";
      const items = store.webhooks.filter((w) => status === "all" || w.status === status).map(webhookJson);
      return paged(items, query);
    }),
    http.post(`${api}/webhooks`, async ({ request }) => {
      const denied = await gate(request, true);
      if (denied) return denied;
      const body = (await request.json()) as Record<string, string>;
      if (!body.topic || !/^(order|product|customer|coupon)\.(created|updated|deleted|restored)$/.test(body.topic)) {
        return wpError(400, "woocommerce_rest_webhook_invalid_topic", "Webhook topic is required and must be valid.");
      }
      if (!body.delivery_url || !/^https?:\/\//.test(body.delivery_url)) {
        return wpError(
          400,
          "woocommerce_rest_webhook_invalid_delivery_url",
          "Webhook delivery URL must be a valid URL starting with http:// or https://.",
        );
      }
      const webhook: FakeWebhook = {
        id: nextWebhookId++,
        name: body.name ?? "Webhook created on Nov 20, 2024 @ 10:00 AM",
        status: (body.status as FakeWebhook["status"]) ?? "active",
        topic: body.topic,
        delivery_url: body.delivery_url,
        secret: body.secret ?? "generated",
      };
      store.webhooks.push(webhook);
      return HttpResponse.json(webhookJson(webhook), { status: 201 });
    }),
    http.put(`${api}/webhooks/:id`, async ({ request, params }) => {
      const denied = await gate(request, true);
      if (denied) return denied;
      const webhook = store.webhooks.find((w) => String(w.id) === params.id);
      if (!webhook) return wpError(400, "woocommerce_rest_shop_webhook_invalid_id", "ID is invalid.");
      const body = (await request.json()) as Partial<FakeWebhook>;
      Object.assign(
        webhook,
        Object.fromEntries(
          Object.entries(body).filter(([k]) => ["name", "status", "topic", "delivery_url", "secret"].includes(k)),
        ),
      );
      return HttpResponse.json(webhookJson(webhook));
    }),
    http.delete(`${api}/webhooks/:id`, async ({ request, params }) => {
      const denied = await gate(request, true);
      if (denied) return denied;
      if (new URL(request.url).searchParams.get("force") !== "true") {
        return wpError(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.");
      }
      const index = store.webhooks.findIndex((w) => String(w.id) === params.id);
      if (index === -1) return wpError(404, "woocommerce_rest_shop_webhook_invalid_id", "Invalid ID.");
      const [removed] = store.webhooks.splice(index, 1);
      return HttpResponse.json(webhookJson(removed!));
    }),
    http.get(`${api}/orders`, async ({ request }) => {
      const denied = await gate(request, false);
      if (denied) return denied;
      const query = new URL(request.url).searchParams;
      const after = query.get("modified_after");
      if (after && query.get("dates_are_gmt") !== "true")
        return wpError(400, "test_fake", "the bridge must ask for GMT dates");
      // status defaults to "any", which leaves trashed orders out, as WooCommerce's list does.
      const status = query.get("status") ?? "any";
      const items = store.orders
        .filter((o) => (status === "any" ? o.status !== "trash" : o.status === status))
        .filter((o) => !after || String(o.date_modified_gmt) > after)
        .sort((a, b) =>
          query.get("orderby") === "modified"
            ? String(a.date_modified_gmt).localeCompare(String(b.date_modified_gmt))
            : 0,
        );
      if (query.get("order") === "desc") items.reverse();
      return paged(items, query);
    }),
    // One order in whatever state it is, trash included; a permanently deleted one is gone (404).
    http.get(`${api}/orders/:id`, async ({ request, params }) => {
      const denied = await gate(request, false);
      if (denied) return denied;
      const order = store.orders.find((o) => String(o.id) === params.id);
      return order ? HttpResponse.json(order) : wpError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
    }),
    // A product with its categories (id, name, slug), the parts of WooCommerce's product the bridge reads.
    http.get(`${api}/products/:id`, async ({ request, params }) => {
      const denied = await gate(request, false);
      if (denied) return denied;
      const id = String(params.id);
      const categories = id in store.products ? store.products[id] : [15];
      if (!categories) return wpError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.");
      return HttpResponse.json({
        id: Number(id),
        name: `Product ${id}`,
        type: "simple",
        categories: categories.map((c) => ({
          id: c,
          name: c === 15 ? "Uncategorized" : `Category ${c}`,
          slug: `c-${c}`,
        })),
      });
    }),
    // An order's refunds, newest first as WooCommerce lists them, with their line items; an order the store
    // does not have is a 404.
    http.get(`${api}/orders/:id/refunds`, async ({ request, params }) => {
      const denied = await gate(request, false);
      if (denied) return denied;
      const id = String(params.id);
      const known = store.orders.some((o) => String(o.id) === id) || id in store.refunds;
      if (!known) return wpError(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.");
      const refunds = [...(store.refunds[id] ?? [])].sort((a, b) => Number(b.id) - Number(a.id));
      return paged(refunds, new URL(request.url).searchParams);
    }),
    // Coupons as WC_REST_Coupons_Controller handles them: the code is stored lower-case (wc_format_coupon_code),
    // a code another coupon (not trashed) has is refused, DELETE without force moves it to the trash.
    http.get(`${api}/coupons`, async ({ request }) => {
      const denied = await gate(request, false);
      if (denied) return denied;
      const query = new URL(request.url).searchParams;
      const code = query.get("code")?.toLowerCase();
      return paged(
        store.coupons.filter((c) => c.status !== "trash" && (!code || c.code === code)),
        query,
      );
    }),
    http.post(`${api}/coupons`, async ({ request }) => {
      const denied = await gate(request, true);
      if (denied) return denied;
      const body = (await request.json()) as Record<string, unknown>;
      const code = String(body.code ?? "")
        .trim()
        .toLowerCase();
      if (!code) return wpError(400, "rest_missing_callback_param", "Missing parameter(s): code");
      if (store.coupons.some((c) => c.code === code && c.status !== "trash"))
        return wpError(400, "woocommerce_rest_coupon_code_already_exists", "The coupon code already exists");
      const coupon = couponJson({ id: nextCouponId++, ...body, code, status: "publish" });
      store.coupons.push(coupon);
      return HttpResponse.json(coupon, { status: 201 });
    }),
    http.put(`${api}/coupons/:id`, async ({ request, params }) => {
      const denied = await gate(request, true);
      if (denied) return denied;
      const coupon = store.coupons.find((c) => String(c.id) === params.id);
      if (!coupon) return wpError(400, "woocommerce_rest_shop_coupon_invalid_id", "ID is invalid.");
      const body = (await request.json()) as Record<string, unknown>;
      Object.assign(coupon, couponJson({ ...coupon, ...body, code: String(body.code ?? coupon.code).toLowerCase() }));
      return HttpResponse.json(coupon);
    }),
    http.delete(`${api}/coupons/:id`, async ({ request, params }) => {
      const denied = await gate(request, true);
      if (denied) return denied;
      const index = store.coupons.findIndex((c) => String(c.id) === params.id);
      if (index === -1) return wpError(404, "woocommerce_rest_shop_coupon_invalid_id", "Invalid ID.");
      const coupon = store.coupons[index]!;
      if (new URL(request.url).searchParams.get("force") === "true") store.coupons.splice(index, 1);
      else coupon.status = "trash";
      return HttpResponse.json(coupon);
    }),
  ];
  // A store that is down or not WordPress answers every path the same way.
  if (store.behaviour !== "ok") {
    store.handlers.push(
      http.all(
        `${store.url}/*`,
        async ({ request }) =>
          (await gate(request, false)) ??
          wpError(404, "rest_no_route", "No route was found matching the URL and request method."),
      ),
    );
  }
  return store;
}
