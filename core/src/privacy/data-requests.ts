import type { Db } from "../db/client.ts";
import { type CustomerDataExport, type CustomerSelector, exportCustomerData } from "./customer-data.ts";

// A customer's request to see their data (Shopify's customers/data_request). There is no table for requests: the
// platform's delivery stays in the webhook inbox, which is the record of it, and the export can be produced from
// it at any time with exportCustomerData. Recording one logs what is held, without the data itself.

export interface DataRequest {
  /** The platform's id for the request. */
  requestId: string;
  selector: CustomerSelector;
}

export interface RecordedDataRequest {
  requestId: string;
  storeId: string;
  held: { orders: number; events: number; visitors: number };
  export: CustomerDataExport;
}

export async function recordDataRequest(
  db: Db,
  storeId: string,
  request: DataRequest,
  log: (message: string) => void = (m) => console.info(m),
): Promise<RecordedDataRequest> {
  const data = await exportCustomerData(db, storeId, request.selector);
  const held = { orders: data.orders.length, events: data.events.length, visitors: data.visitors.length };
  log(
    `data request ${request.requestId} for store ${storeId}: ${held.orders} orders, ${held.events} events, ${held.visitors} visitors held`,
  );
  return { requestId: request.requestId, storeId, held, export: data };
}

/**
 * Webhook deliveries keep the platform's payload verbatim, and an order payload is full of personal data. This
 * empties the bodies of the given deliveries of the store; one not processed yet is closed as done, since the
 * data it carried is the data being erased.
 */
export async function redactInboxDeliveries(db: Db, storeId: string, inboxIds: readonly string[]): Promise<number> {
  if (inboxIds.length === 0) return 0;
  const ids = [...inboxIds];
  return db.$transaction(async (tx) => {
    await tx.webhookInbox.updateMany({
      where: { storeId, id: { in: ids }, status: { in: ["pending", "failed"] } },
      data: { status: "done", processedAt: new Date(), lastError: "redacted before processing" },
    });
    const emptied = await tx.webhookInbox.updateMany({
      where: { storeId, id: { in: ids } },
      data: { body: new Uint8Array(0) },
    });
    return emptied.count;
  });
}
