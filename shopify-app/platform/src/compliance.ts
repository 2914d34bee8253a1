import type { Db } from "@trailmark/core/db";
import {
  deleteShopDeliveries,
  redactInboxDeliveries,
  type ShopScope,
  shopDeliveriesWhere,
} from "@trailmark/core/inbox";
import { type CustomerSelector, deleteStoreData, recordDataRequest, redactCustomer } from "@trailmark/core/privacy";
import { hashCustomerRef, hashEmail } from "@trailmark/core/shared";
import { findStoreByDomain } from "@trailmark/core/stores";
import { z } from "zod";
import { idFromGid } from "./normalize-order.ts";
import { parseJsonKeepingBigInts } from "./shopify-json.ts";

// Shopify's mandatory compliance webhooks, read into core's platform-free terms. customers/data_request and
// customers/redact name a customer (id, email) and their orders; shop/redact names only the shop.

const IdSchema = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String);

const CustomerSchema = z.object({ id: IdSchema.nullish(), email: z.string().nullish() }).nullish();

export const CustomersDataRequestSchema = z.object({
  shop_domain: z.string().min(1),
  customer: CustomerSchema,
  orders_requested: z.array(IdSchema).nullish(),
  data_request: z.object({ id: IdSchema }).nullish(),
});

export const CustomersRedactSchema = z.object({
  shop_domain: z.string().min(1),
  customer: CustomerSchema,
  orders_to_redact: z.array(IdSchema).nullish(),
});

export const ShopRedactSchema = z.object({ shop_domain: z.string().min(1) });

export function parseCompliancePayload<T>(schema: z.ZodType<T>, body: string, topic: string): T {
  const parsed = schema.safeParse(parseJsonKeepingBigInts(body));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `invalid ${topic} payload: ${issue ? `${issue.path.map(String).join(".")}: ${issue.message}` : "malformed"}`,
    );
  }
  return parsed.data;
}

/** The customer as core knows them: the same hashes normalize-order.ts stores on their orders. */
export function customerSelectorOf(
  customer: z.infer<typeof CustomerSchema>,
  orderIds: readonly string[] | null | undefined,
): CustomerSelector {
  return {
    emailHash: customer?.email ? hashEmail(customer.email) : null,
    customerRef: customer?.id ? hashCustomerRef(customer.id) : null,
    orderExternalIds: [...new Set(orderIds ?? [])],
  };
}

const DeliveryFieldsSchema = z.object({
  id: IdSchema.nullish(),
  admin_graphql_api_id: z.string().nullish(),
  order_id: IdSchema.nullish(),
  email: z.string().nullish(),
  contact_email: z.string().nullish(),
  customer: CustomerSchema,
});

/** Whether a stored Shopify delivery carries data about this customer (their order, refund or compliance request). */
export function deliveryConcernsCustomer(
  topic: string,
  body: string,
  customer: { id: string | null; emailHash: string | null; orderIds: ReadonlySet<string> },
): boolean {
  let parsed: z.infer<typeof DeliveryFieldsSchema>;
  try {
    const result = DeliveryFieldsSchema.safeParse(parseJsonKeepingBigInts(body));
    if (!result.success) return false;
    parsed = result.data;
  } catch {
    return false;
  }
  if (topic.startsWith("orders/")) {
    const id = idFromGid(parsed.admin_graphql_api_id) ?? parsed.id;
    if (id && customer.orderIds.has(id)) return true;
  }
  if (topic === "refunds/create" && parsed.order_id && customer.orderIds.has(parsed.order_id)) return true;
  if (customer.id && parsed.customer?.id === customer.id) return true;
  const emails = [parsed.email, parsed.contact_email, parsed.customer?.email].filter((e): e is string => !!e);
  return customer.emailHash !== null && emails.some((e) => hashEmail(e) === customer.emailHash);
}

const SCAN_BATCH = 200;
const decoder = new TextDecoder();

/**
 * Ids of the shop's inbox deliveries that carry this customer's data (scanned in batches, bodies parsed): its
 * store's, and those held under the shop's domain before the store existed.
 */
export async function findCustomerDeliveries(
  db: Db,
  scope: ShopScope,
  customer: { id: string | null; email: string | null; orderIds: readonly string[] },
): Promise<string[]> {
  const wanted = {
    id: customer.id,
    emailHash: customer.email ? hashEmail(customer.email) : null,
    orderIds: new Set(customer.orderIds),
  };
  const found: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const rows = await db.webhookInbox.findMany({
      where: { AND: [shopDeliveriesWhere(scope), { source: "shopify", ...(cursor ? { id: { gt: cursor } } : {}) }] },
      orderBy: { id: "asc" },
      take: SCAN_BATCH,
      select: { id: true, topic: true, body: true },
    });
    for (const row of rows) {
      if (row.body.byteLength > 0 && deliveryConcernsCustomer(row.topic, decoder.decode(row.body), wanted))
        found.push(row.id);
    }
    if (rows.length < SCAN_BATCH) return found;
    cursor = rows[rows.length - 1]!.id;
  }
}

// The three compliance topics as the inbox worker runs them. Each is idempotent (a replay finds nothing left to
// do) and works whether or not the shop has a store: deliveries can be held for a shop before its store exists.

function triggeredAt(headers: Record<string, string>): Date {
  const at = Date.parse(headers["x-shopify-triggered-at"] ?? "");
  return Number.isNaN(at) ? new Date() : new Date(at);
}

export interface ComplianceDelivery {
  id: string;
  topic: string;
  dedupKey: string;
  headers: Record<string, string>;
  body: string;
}

/** customers/data_request: recorded for the merchant, who downloads the export from the admin. */
export async function handleCustomersDataRequest(
  db: Db,
  shop: string,
  delivery: ComplianceDelivery,
  log: (message: string) => void,
): Promise<void> {
  const payload = parseCompliancePayload(CustomersDataRequestSchema, delivery.body, delivery.topic);
  const store = await findStoreByDomain(db, "shopify", shop);
  const requestId = payload.data_request?.id ?? delivery.dedupKey;
  if (!store) {
    log(`data request ${requestId} for ${shop}: no store, nothing held`);
    return;
  }
  await recordDataRequest(
    db,
    store.id,
    {
      requestId,
      selector: customerSelectorOf(payload.customer, payload.orders_requested),
      receivedAt: triggeredAt(delivery.headers),
    },
    log,
  );
}

/** customers/redact: the customer's data in the store's rows and in every delivery held for the shop. */
export async function handleCustomersRedact(
  db: Db,
  shop: string,
  delivery: ComplianceDelivery,
  log: (message: string) => void,
): Promise<void> {
  const payload = parseCompliancePayload(CustomersRedactSchema, delivery.body, delivery.topic);
  const store = await findStoreByDomain(db, "shopify", shop);
  const selector = customerSelectorOf(payload.customer, payload.orders_to_redact);
  const redacted = store
    ? await redactCustomer(db, store.id, selector)
    : { orders: 0, events: 0, visitors: 0, dataRequests: 0 };
  const scope = { storeId: store?.id ?? null, shopDomain: shop };
  const deliveries = await findCustomerDeliveries(db, scope, {
    id: payload.customer?.id ?? null,
    email: payload.customer?.email ?? null,
    orderIds: selector.orderExternalIds ?? [],
  });
  const scrubbed = await redactInboxDeliveries(db, scope, deliveries);
  log(
    `customer redaction for ${store ? `store ${store.id}` : `${shop} (no store)`}: ${redacted.orders} orders, ${redacted.events} events, ${redacted.visitors} visitors, ${redacted.dataRequests} data requests, ${scrubbed} webhook bodies`,
  );
}

/** shop/redact: every row of the shop's store, and every delivery held for the shop, but this one. */
export async function handleShopRedact(
  db: Db,
  shop: string,
  delivery: ComplianceDelivery,
  log: (message: string) => void,
): Promise<void> {
  parseCompliancePayload(ShopRedactSchema, delivery.body, delivery.topic);
  const store = await findStoreByDomain(db, "shopify", shop);
  if (!store) {
    // Never installed to the end (or deleted already): what may be held is deliveries and sessions.
    const deliveries = await deleteShopDeliveries(db, { storeId: null, shopDomain: shop }, [delivery.id]);
    const sessions = await db.session.deleteMany({ where: { shop } });
    log(
      `shop redaction: ${shop} has no store; ${deliveries} webhook deliveries and ${sessions.count} sessions deleted`,
    );
    return;
  }
  // This delivery is kept (it holds only the shop's domain) so the worker can mark it done.
  await deleteStoreData(db, store.id, { shop, keepInboxIds: [delivery.id] });
  log(`shop redaction: every row of store ${store.id} (${shop}) deleted`);
}
