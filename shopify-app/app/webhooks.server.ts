import { createHmac, timingSafeEqual } from "node:crypto";
import { readBodyBytes } from "../../core/src/http/body.ts";
import { enqueueDelivery } from "../../core/src/inbox/inbox.ts";
import { AppError } from "../../core/src/shared/errors.ts";
import { findStoreByDomain } from "../../core/src/stores/store.ts";
import { getDatabase } from "./db.server.ts";
import { getEnv } from "./env.server.ts";
import { authenticate } from "./shopify.server.ts";

// Every webhook route does the same thing: check the signature (authenticate.webhook: 401 for a bad HMAC, 400
// for missing headers), store the delivery's exact bytes in the inbox keyed by its event id, and answer 200.
// The inbox worker does the work later (process-webhook.server.ts); a repeated delivery is stored once.

/** Shopify's largest order payloads stay well under this. */
export const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

const KEPT_HEADERS = /^(x-shopify-|content-type$|user-agent$)/i;

interface VerifiedWebhook {
  shop: string;
  webhookId: string;
  eventId: string | undefined;
}

async function verifyWebhook(request: Request, body: Uint8Array): Promise<VerifiedWebhook | Response> {
  try {
    const context = await authenticate.webhook(
      new Request(request.url, { method: "POST", headers: request.headers, body: body.slice() }),
    );
    return { shop: context.shop, webhookId: context.webhookId, eventId: context.eventId };
  } catch (error) {
    // authenticate.webhook answers a bad signature (401), missing headers or body (400) and a wrong method (405)
    // before anything else. Past those, it loads and, if expired, refreshes the shop's offline session, which fails
    // (as a 500 Response) once an uninstall has revoked the tokens. The delivery must still be stored: check the
    // signature here and take the headers as they are.
    if (error instanceof Response && error.status < 500) return error;
    const shop = request.headers.get("x-shopify-shop-domain");
    const webhookId = request.headers.get("x-shopify-webhook-id");
    if (
      !signatureMatches(body, request.headers.get("x-shopify-hmac-sha256"), getEnv().SHOPIFY_API_SECRET) ||
      !shop ||
      !webhookId
    ) {
      throw error;
    }
    const reason = error instanceof Response ? `HTTP ${error.status}` : String(error);
    console.warn(`webhook from ${shop}: shop session unavailable, stored without it (${reason})`);
    return { shop, webhookId, eventId: request.headers.get("x-shopify-event-id") ?? undefined };
  }
}

function signatureMatches(body: Uint8Array, header: string | null, secret: string): boolean {
  const expected = createHmac("sha256", secret).update(body).digest();
  const given = Buffer.from(header ?? "", "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Webhook routes answer only POST; their loader turns a GET away without an error in the logs. */
export function methodNotAllowed(): Response {
  return new Response(null, { status: 405, headers: { allow: "POST" } });
}

export async function receiveWebhook(request: Request): Promise<Response> {
  if (request.method !== "POST") return methodNotAllowed();
  let body: Uint8Array;
  try {
    body = await readBodyBytes(request, MAX_WEBHOOK_BYTES);
  } catch (error) {
    if (error instanceof AppError) return new Response(null, { status: error.status });
    throw error;
  }
  const verified = await verifyWebhook(request, body);
  if (verified instanceof Response) return verified;
  const { db } = getDatabase();
  const topic = (request.headers.get("x-shopify-topic") ?? "").trim().toLowerCase();
  const store = await findStoreByDomain(db, "shopify", verified.shop);
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) if (KEPT_HEADERS.test(name)) headers[name] = value;
  await enqueueDelivery(db, {
    source: "shopify",
    storeId: store?.id ?? null,
    shopDomain: verified.shop,
    topic,
    dedupKey: verified.eventId || verified.webhookId,
    headers,
    body,
  });
  return new Response(null, { status: 200 });
}
