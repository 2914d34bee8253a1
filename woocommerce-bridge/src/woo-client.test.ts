import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { oauthSignature, signOAuth1 } from "./oauth1.ts";
import { type FakeWooStoreOptions, fakeWooStore } from "./testing/woo-api.ts";
import { wooOrderPayload } from "./testing/woo-orders.ts";
import { classifyWooFailure, createWooClient, normalizeStoreUrl, WooApiError } from "./woo-client.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function clientFor(options: FakeWooStoreOptions = {}, keys?: { key?: string; secret?: string }) {
  const store = fakeWooStore(options);
  server.use(...store.handlers);
  const client = createWooClient({
    url: store.url,
    consumerKey: keys?.key ?? store.key,
    consumerSecret: keys?.secret ?? store.secret,
  });
  return { store, client };
}

async function failureOf(promise: Promise<unknown>): Promise<WooApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WooApiError);
  return error as WooApiError;
}

describe("normalizeStoreUrl", () => {
  it("accepts what merchants type and keeps a subdirectory install's path", () => {
    expect(normalizeStoreUrl("shop.example.com")).toBe("https://shop.example.com");
    expect(normalizeStoreUrl(" https://Shop.Example.com/ ")).toBe("https://shop.example.com");
    expect(normalizeStoreUrl("https://example.com/shop/")).toBe("https://example.com/shop");
    expect(normalizeStoreUrl("http://localhost:8080")).toBe("http://localhost:8080");
  });

  it("refuses what is not a web address", () => {
    expect(() => normalizeStoreUrl("ftp://example.com")).toThrow(/not an http\(s\) URL/);
    expect(() => normalizeStoreUrl("https://exa mple.com")).toThrow(WooApiError);
  });
});

describe("createWooClient", () => {
  it("authenticates over HTTPS with Basic auth", async () => {
    const { client, store } = clientFor();
    const response = await client.get("/wc/v3/system_status");
    expect(response.status).toBe(200);
    expect(store.requests[0]?.query.has("consumer_key")).toBe(false);
  });

  it("signs requests over plain HTTP with OAuth 1.0a, as WooCommerce requires there", async () => {
    const { client, store } = clientFor({ url: "http://shop.local:8080" });
    const response = await client.get("/wc/v3/orders", { modified_after: "2024-11-20T10:00:00", dates_are_gmt: true });
    expect(response.status).toBe(200);
    const query = store.requests[0]!.query;
    expect(query.get("oauth_signature_method")).toBe("HMAC-SHA256");
    expect(query.has("consumer_secret")).toBe(false);
  });

  it("reports a wrong consumer secret over HTTP as an authorization failure", async () => {
    const { client } = clientFor({ url: "http://shop.local:8080" }, { secret: "cs_wrong" });
    const error = await failureOf(client.get("/wc/v3/system_status"));
    expect(error.failure).toBe("unauthorized");
    expect(error.message).toMatch(/signature does not match/);
  });

  it("reports bad keys (401) with what to do about them", async () => {
    const { client } = clientFor({}, { key: "ck_unknown", secret: "cs_unknown" });
    const error = await failureOf(client.get("/wc/v3/system_status"));
    expect(error).toMatchObject({ failure: "unauthorized", status: 401, code: "woocommerce_rest_cannot_view" });
    expect(error.message).toMatch(/rejected the API keys.*Read\/Write/);
  });

  it("reports a store that cannot be reached", async () => {
    const { client } = clientFor({ behaviour: "down" });
    const error = await failureOf(client.get("/wc/v3/system_status"));
    expect(error.failure).toBe("unreachable");
    expect(error.message).toMatch(/could not reach https:\/\/shop.example.com.*check the URL/);
  });

  it("tells a site that is not WordPress from WordPress without WooCommerce", async () => {
    const notWp = await failureOf(clientFor({ behaviour: "not-wordpress" }).client.get("/wc/v3/system_status"));
    expect(notWp.failure).toBe("not_wordpress");
    server.resetHandlers();
    const noWoo = await failureOf(clientFor({ behaviour: "no-woocommerce" }).client.get("/wc/v3/system_status"));
    expect(noWoo.failure).toBe("no_woocommerce");
    expect(noWoo.message).toMatch(/is WooCommerce installed and active/);
  });

  it("reports a REST API switched off by a plugin", async () => {
    const error = await failureOf(clientFor({ behaviour: "rest-disabled" }).client.get("/wc/v3/system_status"));
    expect(error.failure).toBe("rest_disabled");
  });

  it("follows X-WP-TotalPages through every page of a collection", async () => {
    const orders = Array.from({ length: 230 }, (_, i) => wooOrderPayload({ id: 1000 + i }));
    const { client, store } = clientFor({ orders });
    const all = await client.getAll("/wc/v3/orders");
    expect(all).toHaveLength(230);
    expect(store.requests.map((r) => r.query.get("page"))).toEqual(["1", "2", "3"]);
  });
});

describe("classifyWooFailure", () => {
  const base = { baseUrl: "https://shop.example.com", route: "/wc/v3/system_status" };

  it("reads WordPress error codes before status codes", () => {
    expect(
      classifyWooFailure({ ...base, status: 403, isJson: true, body: { code: "rest_login_required", message: "x" } })
        .failure,
    ).toBe("rest_disabled");
    expect(
      classifyWooFailure({ ...base, status: 403, isJson: true, body: { code: "woocommerce_rest_cannot_view" } })
        .failure,
    ).toBe("unauthorized");
    expect(
      classifyWooFailure({ ...base, status: 400, isJson: true, body: { code: "rest_invalid_param" } }).failure,
    ).toBe("rejected");
    expect(classifyWooFailure({ ...base, status: 503, isJson: false, body: "<html>maintenance" }).failure).toBe(
      "store_error",
    );
    expect(classifyWooFailure({ ...base, status: 403, isJson: false, body: "<html>firewall" }).failure).toBe(
      "rest_disabled",
    );
  });
});

describe("OAuth 1.0a signing", () => {
  it("signs the base string WooCommerce rebuilds, so the signature survives its check", () => {
    const url = new URL("http://shop.local/wp-json/wc/v3/orders?per_page=100&modified_after=2024-11-20T10:00:00");
    const signed = signOAuth1("GET", url, { key: "ck_a", secret: "cs_b" }, new Date("2024-11-20T12:00:00Z"), "abc");
    const params = Object.fromEntries(signed.searchParams);
    const { oauth_signature: signature, ...rest } = params;
    expect(rest.oauth_timestamp).toBe("1732104000");
    expect(signature).toBe(oauthSignature("GET", new URL(signed.origin + signed.pathname), rest, "cs_b"));
  });
});
