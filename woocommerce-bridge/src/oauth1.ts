import { createHmac, randomBytes } from "node:crypto";

// Over plain http:// WooCommerce refuses Basic auth and query-string keys (it checks them only when
// is_ssl()) and accepts one-legged OAuth 1.0a instead, with the oauth_* parameters in the query string.
// This follows WC_REST_Authentication::check_oauth_signature: sorted parameters, each key and value
// RFC 3986-encoded, "key=value" encoded once more and joined with %26, keyed with "<consumer secret>&".

export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function oauthBaseString(method: string, url: URL, params: Record<string, string>): string {
  const base = `${url.protocol}//${url.host}${url.pathname}`;
  const pairs = Object.keys(params)
    .sort()
    .map((key) => rfc3986(`${rfc3986(key)}=${rfc3986(params[key]!)}`));
  return `${method.toUpperCase()}&${rfc3986(base)}&${pairs.join("%26")}`;
}

export function oauthSignature(
  method: string,
  url: URL,
  params: Record<string, string>,
  consumerSecret: string,
): string {
  return createHmac("sha256", `${consumerSecret}&`)
    .update(oauthBaseString(method, url, params))
    .digest("base64");
}

/** Returns a copy of `url` with the OAuth parameters (and signature) added to its query string. */
export function signOAuth1(
  method: string,
  url: URL,
  consumer: { key: string; secret: string },
  now: Date = new Date(),
  nonce: string = randomBytes(16).toString("hex"),
): URL {
  const signed = new URL(url);
  signed.searchParams.set("oauth_consumer_key", consumer.key);
  signed.searchParams.set("oauth_nonce", nonce);
  signed.searchParams.set("oauth_signature_method", "HMAC-SHA256");
  signed.searchParams.set("oauth_timestamp", String(Math.floor(now.getTime() / 1000)));
  const params = Object.fromEntries(signed.searchParams);
  signed.searchParams.set("oauth_signature", oauthSignature(method, signed, params, consumer.secret));
  return signed;
}
