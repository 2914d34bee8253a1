import { createHmac, timingSafeEqual } from "node:crypto";

// WooCommerce signs a delivery with base64(HMAC-SHA256(raw body, webhook secret)). It must be checked over
// the bytes as received: re-serializing the parsed JSON loses PHP's "\/" and "\u00e9" escapes.
export function wooSignature(body: Uint8Array, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

export function isValidWooSignature(body: Uint8Array, secret: string, signature: string | null): boolean {
  if (!signature || !secret) return false;
  const expected = Buffer.from(wooSignature(body, secret));
  const given = Buffer.from(signature.trim());
  // timingSafeEqual needs equal lengths; a length mismatch says nothing about the secret.
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** WooCommerce's activation ping: `webhook_id=<n>` form-encoded, with no signature or X-WC headers. */
export function isWooPing(headers: Pick<Headers, "has">, body: Uint8Array): boolean {
  if (headers.has("x-wc-webhook-signature") || headers.has("x-wc-webhook-topic")) return false;
  if (body.byteLength > 64) return false;
  return /^webhook_id=\d+$/.test(new TextDecoder().decode(body).trim());
}
