import type { Db } from "../db/client.ts";
import { parseJson } from "../shared/db-errors.ts";
import { newId } from "../shared/ids.ts";
import {
  type CustomerDataExport,
  type CustomerSelector,
  CustomerSelectorSchema,
  exportCustomerData,
} from "./customer-data.ts";

// A customer's request to see their data (Shopify's customers/data_request). The platform expects the app to
// give the merchant what it holds about the customer, so each request is recorded for the admin, which lists
// them and offers the export as a download. A request keeps only what finds the data (the hashes and order ids
// orders carry); the export is built from the store's rows when it is asked for.

export interface DataRequest {
  /** The platform's id for the request. */
  requestId: string;
  selector: CustomerSelector;
  receivedAt?: Date;
}

export interface RecordedDataRequest {
  /** Trailmark's id of the request (the admin's download names it). */
  id: string;
  requestId: string;
  storeId: string;
  held: { orders: number; events: number; visitors: number };
}

export interface StoredDataRequest {
  id: string;
  requestId: string;
  receivedAt: Date;
  selector: CustomerSelector;
}

function heldOf(data: CustomerDataExport): RecordedDataRequest["held"] {
  return { orders: data.orders.length, events: data.events.length, visitors: data.visitors.length };
}

/**
 * Records the request for the merchant (once per platform request id: a replayed delivery changes nothing) and
 * logs how much is held, without the data itself.
 */
export async function recordDataRequest(
  db: Db,
  storeId: string,
  request: DataRequest,
  log: (message: string) => void = (m) => console.info(m),
): Promise<RecordedDataRequest> {
  const selector = CustomerSelectorSchema.parse(request.selector);
  const row = await db.dataRequest.upsert({
    where: { storeId_requestId: { storeId, requestId: request.requestId } },
    create: {
      id: newId("dr"),
      storeId,
      requestId: request.requestId,
      emailHash: selector.emailHash ?? null,
      customerRef: selector.customerRef ?? null,
      orderExternalIds: JSON.stringify(selector.orderExternalIds),
      receivedAt: request.receivedAt ?? new Date(),
    },
    update: {},
    select: { id: true },
  });
  const held = heldOf(await exportCustomerData(db, storeId, selector));
  log(
    `data request ${request.requestId} for store ${storeId}: ${held.orders} orders, ${held.events} events, ${held.visitors} visitors held`,
  );
  return { id: row.id, requestId: request.requestId, storeId, held };
}

function storedOf(row: {
  id: string;
  requestId: string;
  receivedAt: Date;
  emailHash: string | null;
  customerRef: string | null;
  orderExternalIds: string;
}): StoredDataRequest {
  return {
    id: row.id,
    requestId: row.requestId,
    receivedAt: row.receivedAt,
    selector: {
      emailHash: row.emailHash,
      customerRef: row.customerRef,
      orderExternalIds: parseJson<string[]>(row.orderExternalIds, []),
    },
  };
}

/** The store's data requests, newest first, each with how much is held for that customer now. */
export async function listDataRequests(
  db: Db,
  storeId: string,
): Promise<(StoredDataRequest & { held: RecordedDataRequest["held"] })[]> {
  const rows = await db.dataRequest.findMany({
    where: { storeId },
    orderBy: [{ receivedAt: "desc" }, { id: "asc" }],
    take: 200,
  });
  const out = [];
  for (const row of rows) {
    const stored = storedOf(row);
    out.push({ ...stored, held: heldOf(await exportCustomerData(db, storeId, stored.selector)) });
  }
  return out;
}

/** One request's export, as the merchant downloads it; null when the store has no such request. */
export async function dataRequestExport(
  db: Db,
  storeId: string,
  id: string,
): Promise<{ request: StoredDataRequest; data: CustomerDataExport } | null> {
  const row = await db.dataRequest.findFirst({ where: { storeId, id } });
  if (!row) return null;
  const request = storedOf(row);
  return { request, data: await exportCustomerData(db, storeId, request.selector) };
}
