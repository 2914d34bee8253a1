import { createHmac, randomBytes } from "node:crypto";
import { phpJsonEncode } from "./php-json.ts";
import { STORE_URL } from "./woo-orders.ts";

// Webhook requests exactly as WooCommerce 9.4's WC_Webhook::deliver() and deliver_ping() send them.

export const WOO_USER_AGENT = "WooCommerce/9.4.2 Hookshot (WordPress/6.7.1)";
export const BRIDGE_ORIGIN = "https://bridge.trailmark.test";

export function webhookUrl(storeId: string): string {
  return `${BRIDGE_ORIGIN}/woocommerce/webhooks/${storeId}`;
}

export function signWooBody(body: Uint8Array | string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

export interface DeliveryOptions {
  storeId: string;
  secret: string;
  topic: string;
  /** A value to encode as PHP JSON, or the exact body bytes/text. */
  payload: unknown;
  webhookId?: number;
  /** Overrides the computed signature (null: no signature header). */
  signature?: string | null;
  storeUrl?: string;
}

export function wooDeliveryBody(payload: unknown): Uint8Array<ArrayBuffer> {
  if (payload instanceof Uint8Array) return new Uint8Array(payload);
  return new TextEncoder().encode(typeof payload === "string" ? payload : phpJsonEncode(payload));
}

export function wooDelivery(options: DeliveryOptions): Request {
  const body = wooDeliveryBody(options.payload);
  const [resource, event] = options.topic.split(".");
  const headers = new Headers({
    "user-agent": WOO_USER_AGENT,
    "content-type": "application/json",
    "x-wc-webhook-source": `${options.storeUrl ?? STORE_URL}/`,
    "x-wc-webhook-topic": options.topic,
    "x-wc-webhook-resource": resource ?? "",
    "x-wc-webhook-event": event ?? "",
    "x-wc-webhook-id": String(options.webhookId ?? 31),
    // wp_hash() of the webhook id and time: a new value on every delivery.
    "x-wc-webhook-delivery-id": randomBytes(16).toString("hex"),
  });
  const signature = options.signature === undefined ? signWooBody(body, options.secret) : options.signature;
  if (signature !== null) headers.set("x-wc-webhook-signature", signature);
  return new Request(webhookUrl(options.storeId), { method: "POST", headers, body });
}

/** The ping WooCommerce sends when a webhook is created or activated: form body, no X-WC headers. */
export function wooPing(storeId: string, webhookId = 31): Request {
  return new Request(webhookUrl(storeId), {
    method: "POST",
    headers: { "user-agent": WOO_USER_AGENT, "content-type": "application/x-www-form-urlencoded" },
    body: `webhook_id=${webhookId}`,
  });
}
