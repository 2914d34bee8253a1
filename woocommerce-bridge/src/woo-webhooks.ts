import { z } from "zod";
import { ORDER_TOPICS, type OrderTopic } from "./delivery-key.ts";
import { WooApiError, type WooClient } from "./woo-client.ts";
import { WooIdSchema } from "./woo-order-schema.ts";

// The four order webhooks that feed the bridge, kept in one state on the store: one per topic, pointing at
// our delivery URL, active, signing with our secret. Connect creates or repairs them; reconciliation
// re-activates the ones WooCommerce disabled after failed deliveries.

export const WEBHOOKS_ROUTE = "/wc/v3/webhooks";

export const WooWebhookSchema = z.object({
  id: WooIdSchema,
  name: z.string().nullish(),
  status: z.string(),
  topic: z.string(),
  delivery_url: z.string(),
});
export type WooWebhook = z.infer<typeof WooWebhookSchema>;

export type WebhookAction = "created" | "updated" | "reactivated" | "unchanged" | "paused" | "deleted_duplicate";

export interface WebhookChange {
  topic: OrderTopic;
  id: string;
  action: WebhookAction;
}

export function webhookPath(storeId: string): string {
  return `/woocommerce/webhooks/${storeId}`;
}

export function deliveryUrlFor(publicUrl: string, storeId: string): string {
  return `${publicUrl.replace(/\/+$/, "")}${webhookPath(storeId)}`;
}

/** Ours: pointing at this store's webhook path on any host (the bridge's public URL may have changed). */
export function isOurWebhook(webhook: WooWebhook, storeId: string): boolean {
  try {
    return new URL(webhook.delivery_url).pathname.replace(/\/+$/, "") === webhookPath(storeId);
  } catch {
    return false;
  }
}

export async function listWebhooks(client: WooClient): Promise<WooWebhook[]> {
  const items = await client.getAll(WEBHOOKS_ROUTE, { status: "all" });
  return items.flatMap((item) => {
    const parsed = WooWebhookSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

function webhookName(topic: OrderTopic): string {
  return `Trailmark ${topic}`;
}

async function deleteWebhook(client: WooClient, id: string): Promise<void> {
  try {
    await client.delete(`${WEBHOOKS_ROUTE}/${id}`, { force: true });
  } catch (error) {
    // Gone already is what we wanted.
    if (!(error instanceof WooApiError && error.failure === "not_found")) throw error;
  }
}

/**
 * Makes the store have exactly one active webhook per order topic at `deliveryUrl`, signing with `secret`.
 * Existing ones (ours by path) are updated in place rather than duplicated, so connecting twice is safe.
 */
export async function ensureWebhooks(
  client: WooClient,
  input: { storeId: string; deliveryUrl: string; secret: string },
): Promise<WebhookChange[]> {
  const existing = (await listWebhooks(client)).filter((w) => isOurWebhook(w, input.storeId));
  const changes: WebhookChange[] = [];
  for (const topic of ORDER_TOPICS) {
    const candidates = existing
      .filter((w) => w.topic === topic)
      // Prefer the one already at the exact URL, then the oldest.
      .sort(
        (a, b) =>
          Number(b.delivery_url === input.deliveryUrl) - Number(a.delivery_url === input.deliveryUrl) ||
          Number(a.id) - Number(b.id),
      );
    const [keep, ...extra] = candidates;
    const desired = {
      name: webhookName(topic),
      topic,
      delivery_url: input.deliveryUrl,
      secret: input.secret,
      status: "active",
    };
    if (keep) {
      // Always re-sent: WooCommerce never returns the secret, so we cannot tell whether it still matches.
      const response = await client.put(`${WEBHOOKS_ROUTE}/${keep.id}`, desired);
      const updated = WooWebhookSchema.parse(response.body);
      changes.push({ topic, id: updated.id, action: "updated" });
    } else {
      const response = await client.post(WEBHOOKS_ROUTE, desired);
      const created = WooWebhookSchema.parse(response.body);
      changes.push({ topic, id: created.id, action: "created" });
    }
    for (const duplicate of extra) {
      await deleteWebhook(client, duplicate.id);
      changes.push({ topic, id: duplicate.id, action: "deleted_duplicate" });
    }
  }
  return changes;
}

/**
 * Re-activates our webhooks that WooCommerce disabled (more than five failed deliveries) and recreates
 * missing ones when the delivery URL and secret are known. A webhook the merchant paused stays paused.
 */
export async function repairWebhooks(
  client: WooClient,
  input: { storeId: string; deliveryUrl?: string | null; secret?: string | null },
): Promise<WebhookChange[]> {
  const ours = (await listWebhooks(client)).filter((w) => isOurWebhook(w, input.storeId));
  const changes: WebhookChange[] = [];
  for (const topic of ORDER_TOPICS) {
    const forTopic = ours.filter((w) => w.topic === topic);
    if (forTopic.length === 0) {
      if (!input.deliveryUrl || !input.secret) continue;
      const response = await client.post(WEBHOOKS_ROUTE, {
        name: webhookName(topic),
        topic,
        delivery_url: input.deliveryUrl,
        secret: input.secret,
        status: "active",
      });
      changes.push({ topic, id: WooWebhookSchema.parse(response.body).id, action: "created" });
      continue;
    }
    for (const webhook of forTopic) {
      if (webhook.status === "disabled") {
        await client.put(`${WEBHOOKS_ROUTE}/${webhook.id}`, { status: "active" });
        changes.push({ topic, id: webhook.id, action: "reactivated" });
      } else {
        changes.push({ topic, id: webhook.id, action: webhook.status === "paused" ? "paused" : "unchanged" });
      }
    }
  }
  return changes;
}

/**
 * The webhook ids to record for the store, one per topic, from what ensureWebhooks or repairWebhooks did:
 * a webhook recreated after the merchant deleted it replaces the old id, and a topic with none left has no id.
 * Of several webhooks for one topic, an active one is named before a paused one.
 */
export function webhookIdsOf(changes: readonly WebhookChange[]): Partial<Record<OrderTopic, string>> {
  const ids: Partial<Record<OrderTopic, string>> = {};
  for (const change of changes) {
    if (change.action === "deleted_duplicate") continue;
    if (ids[change.topic] && change.action === "paused") continue;
    ids[change.topic] = change.id;
  }
  return ids;
}

/** Deletes our webhooks: the ids we recorded and any other pointing at this store's path. */
export async function removeWebhooks(
  client: WooClient,
  input: { storeId: string; knownIds: string[] },
): Promise<string[]> {
  const listed = (await listWebhooks(client)).filter((w) => isOurWebhook(w, input.storeId)).map((w) => w.id);
  const ids = [...new Set([...input.knownIds, ...listed])];
  for (const id of ids) await deleteWebhook(client, id);
  return ids;
}
