import type { HttpAnswer } from "../http/answer.ts";
import { readBodyBytes } from "../http/body.ts";
import { errorAnswer } from "../http/error-response.ts";
import { type NodeRoute, readNodeBodyBytes, writeAnswer } from "../server/node-http.ts";
import type { DeliveryInput } from "./inbox.ts";
import type { InboxRecorder } from "./inbox-recorder.ts";

// The webhook receipt: everything that must happen before a platform gets its answer, and nothing else —
// read the exact bytes, verify the signature, store the raw delivery (group-committed), answer. Parsing,
// store lookups beyond a cached one and all processing belong to the inbox worker. One receipt per platform
// (Shopify in shopify-app, WooCommerce in the bridge) is mounted as a node:http route in front of the
// Remix app, and the same receipt answers through a fetch adapter where only fetch exists.

export interface ReceiptRequest {
  /** The request target's path, without the query. */
  path: string;
  /** Lower-cased header names; a repeated header keeps its first value. */
  headers: Readonly<Record<string, string>>;
  body: Uint8Array;
}

/** What a platform's receipt decided: an answer now, or a delivery to store and then the answer for it. */
export type ReceiptDecision =
  | { answer: HttpAnswer }
  | { delivery: DeliveryInput; answer: (stored: { duplicate: boolean }) => HttpAnswer };

export interface WebhookReceipt {
  /** Whether a request path is one of this receipt's. */
  matches(path: string): boolean;
  maxBytes: number;
  decide(request: ReceiptRequest): Promise<ReceiptDecision>;
}

export function plainAnswer(status: number, body: unknown = null): HttpAnswer {
  return body === null
    ? { status, headers: {}, body: null }
    : { status, headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(body) };
}

export function errorBody(status: number, code: string, message: string): HttpAnswer {
  return plainAnswer(status, { error: { code, message } });
}

const METHOD_NOT_ALLOWED: HttpAnswer = {
  status: 405,
  headers: { allow: "POST", "content-type": "application/json; charset=utf-8" },
  body: JSON.stringify({ error: { code: "method_not_allowed", message: "use POST for webhook deliveries" } }),
};

/** Decides, stores and answers one request whose body has been read. */
export async function receive(
  receipt: WebhookReceipt,
  recorder: InboxRecorder,
  request: ReceiptRequest,
): Promise<HttpAnswer> {
  const decision = await receipt.decide(request);
  if (!("delivery" in decision)) return decision.answer;
  const stored = await recorder.record(decision.delivery);
  if ("error" in stored) {
    // Not the delivery's fault (the database refused it): a 503 makes the platform send it again.
    console.error(`webhook ${decision.delivery.source} ${decision.delivery.topic} not stored`, stored.error);
    return errorBody(503, "unavailable", "the delivery could not be stored; send it again");
  }
  return decision.answer(stored);
}

function pathOf(target: string): string {
  const q = target.indexOf("?");
  return q === -1 ? target : target.slice(0, q);
}

function firstValues(headers: NodeJS.Dict<string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value[0]! : value;
  }
  return out;
}

/** The receipt as a node:http route (scripts/start.ts, each part's own server). */
export function receiptRoute(receipt: WebhookReceipt, recorder: InboxRecorder): NodeRoute {
  return {
    matches: (target) => receipt.matches(pathOf(target)),
    async handle(req, res) {
      if (req.method !== "POST") {
        req.resume();
        writeAnswer(res, METHOD_NOT_ALLOWED);
        return;
      }
      let body: Uint8Array;
      try {
        body = await readNodeBodyBytes(req, receipt.maxBytes);
      } catch (error) {
        writeAnswer(res, errorAnswer(error));
        return;
      }
      const path = pathOf(req.url ?? "/");
      writeAnswer(res, await receive(receipt, recorder, { path, headers: firstValues(req.headers), body }));
    },
  };
}

/** The same receipt for a fetch-style host (the Remix dev server, the bridge's fetch handler). */
export async function receiveFetch(
  receipt: WebhookReceipt,
  recorder: InboxRecorder,
  request: Request,
): Promise<HttpAnswer> {
  if (request.method !== "POST") return METHOD_NOT_ALLOWED;
  let body: Uint8Array;
  try {
    body = await readBodyBytes(request, receipt.maxBytes);
  } catch (error) {
    return errorAnswer(error);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) headers[name] ??= value;
  return receive(receipt, recorder, { path: new URL(request.url).pathname, headers, body });
}
