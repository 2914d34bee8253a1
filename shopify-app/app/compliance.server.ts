import { z } from "zod";
import type { Db } from "../../core/src/db/client.ts";
import type { CustomerSelector } from "../../core/src/privacy/customer-data.ts";
import { hashCustomerRef, hashEmail } from "../../core/src/shared/hashing.ts";
import { idFromGid } from "./normalize-order.server.ts";
import { parseJsonKeepingBigInts } from "./shopify-json.server.ts";

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

/** The customer as core knows them: the same hashes normalize-order.server.ts stores on their orders. */
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

/** Ids of the store's inbox deliveries that carry this customer's data (scanned in batches, bodies parsed). */
export async function findCustomerDeliveries(
  db: Db,
  storeId: string,
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
      where: { storeId, source: "shopify", ...(cursor ? { id: { gt: cursor } } : {}) },
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

export interface StoredDataRequest {
  inboxId: string;
  requestId: string | null;
  receivedAt: Date;
  selector: CustomerSelector;
}

/** The data requests received for a store (kept in the inbox), each with what exportCustomerData needs. */
export async function listDataRequests(db: Db, storeId: string): Promise<StoredDataRequest[]> {
  const rows = await db.webhookInbox.findMany({
    where: { storeId, source: "shopify", topic: "customers/data_request" },
    orderBy: { receivedAt: "asc" },
    select: { id: true, body: true, receivedAt: true },
  });
  return rows.flatMap((row) => {
    try {
      const payload = parseCompliancePayload(
        CustomersDataRequestSchema,
        decoder.decode(row.body),
        "customers/data_request",
      );
      return [
        {
          inboxId: row.id,
          requestId: payload.data_request?.id ?? null,
          receivedAt: row.receivedAt,
          selector: customerSelectorOf(payload.customer, payload.orders_requested),
        },
      ];
    } catch {
      return []; // redacted since, or never valid
    }
  });
}
