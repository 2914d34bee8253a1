import { createHash } from "node:crypto";
import { WooDeliveryKeySchema } from "./woo-order-schema.ts";

// WooCommerce never retries, but Action Scheduler can run a delivery twice, and order.created and
// order.updated often carry the same snapshot. Two deliveries with the same bytes are the same information,
// whatever their topic or delivery id, so the key is the order and a hash of the body. date_modified_gmt is
// not enough: it has whole seconds, and two changes in one second (pending -> processing) would look like
// one; with the body in the key both are kept, and the worker applies them in arrival order (ingestOrder
// lets an equal modification time replace the stored snapshot, so the later one wins).

export const ORDER_TOPICS = ["order.created", "order.updated", "order.deleted", "order.restored"] as const;
export type OrderTopic = (typeof ORDER_TOPICS)[number];

export function isOrderTopic(topic: string | null): topic is OrderTopic {
  return (ORDER_TOPICS as readonly string[]).includes(topic ?? "");
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}

// WooCommerce encodes an order with its id first ({"id":5001,"parent_id":...}). The receipt reads it from the
// first bytes instead of parsing a whole order (3 KB and more) on every delivery; only safe integers are
// taken this way, so the id is the one JSON.parse would give. The worker parses and validates the body (one
// that is not JSON after its id is keyed by that id, and found dead there).
const LEADING_ID = /^\{\s*"id"\s*:\s*(0|[1-9]\d{0,14})\s*[,}]/;

function orderIdOf(body: Uint8Array): string | null {
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 64)).toString("latin1");
  const leading = LEADING_ID.exec(head)?.[1];
  if (leading !== undefined) return leading;
  const parsed = WooDeliveryKeySchema.safeParse(parseJson(body));
  return parsed.success ? parsed.data.id : null;
}

export function wooDedupKey(input: {
  storeId: string;
  topic: OrderTopic;
  body: Uint8Array;
  deliveryId: string | null;
}): string {
  const { storeId, topic, body } = input;
  const id = orderIdOf(body);
  if (id !== null) {
    // order.deleted is only {"id":N}: nothing tells two deletions apart (trash, restore, trash again), so
    // each delivery is kept; reversing an order twice is harmless, missing the second deletion is not.
    if (topic === "order.deleted") return `${storeId}:order:${id}:${topic}:${input.deliveryId ?? digest(body)}`;
    return `${storeId}:order:${id}:sha256:${digest(body)}`;
  }
  // A signed body we cannot read is still stored, so that the failure is visible in the inbox rather
  // than lost; the worker reports it.
  return `${storeId}:${topic}:sha256:${digest(body)}`;
}

function digest(body: Uint8Array): string {
  return createHash("sha256").update(body).digest("hex");
}
