import { z } from "zod";
import type { Db } from "../db/client.ts";
import { inChunks } from "../db/sql.ts";
import { parseJson, toSafeNumber } from "../shared/db-errors.ts";

// A customer's personal data held for one store, found by what the platform tells us about them: the hash of
// their email, the hashed customer reference, and the ids of their orders. Export returns it; redaction removes
// it (the business records of the sale, its attribution and commissions stay, stripped of who bought).

export const CustomerSelectorSchema = z
  .object({
    emailHash: z.string().min(1).nullish(),
    customerRef: z.string().min(1).nullish(),
    orderExternalIds: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type CustomerSelector = z.input<typeof CustomerSelectorSchema>;

export interface CustomerDataExport {
  orders: {
    externalId: string;
    number: string | null;
    status: string;
    currency: string;
    total: number;
    refunded: number;
    placedAt: string;
    checkoutToken: string | null;
    landingUrl: string | null;
    clickIds: string[];
    discountCodes: string[];
    hasEmailHash: boolean;
    hasCustomerRef: boolean;
  }[];
  events: {
    type: string;
    occurredAt: string;
    url: string | null;
    referrer: string | null;
    checkoutToken: string | null;
    orderRef: string | null;
    clickIds: string[];
  }[];
  visitors: { externalId: string; firstSeenAt: string; lastSeenAt: string }[];
}

export interface RedactionResult {
  orders: number;
  events: number;
  visitors: number;
  /** The customer's data requests, whose export is now empty. */
  dataRequests: number;
}

interface Found {
  orderIds: string[];
  eventIds: string[];
  visitorIds: string[];
}

/** Orders matched by id, email hash or customer reference; their browser events; those browsers' visitors. */
async function findCustomerRows(db: Db, storeId: string, input: CustomerSelector): Promise<Found> {
  const selector = CustomerSelectorSchema.parse(input);
  const refs = [selector.customerRef, selector.emailHash].filter((r): r is string => typeof r === "string");
  const orderSelect = { id: true, externalId: true, checkoutToken: true } as const;
  const hashMatch = [
    ...(selector.emailHash ? [{ customerEmailHash: selector.emailHash }] : []),
    ...(selector.customerRef ? [{ customerRef: selector.customerRef }] : []),
  ];
  const byId = await inChunks(selector.orderExternalIds, (c) =>
    db.order.findMany({ where: { storeId, externalId: { in: c } }, select: orderSelect }),
  );
  const byHash =
    hashMatch.length === 0 ? [] : await db.order.findMany({ where: { storeId, OR: hashMatch }, select: orderSelect });
  const orders = [...new Map([...byId, ...byHash].map((o) => [o.id, o])).values()];
  // Every list below can be long (a customer of many orders, a browser of many events), so each IN (…) is
  // queried in slices the database's bound-parameter limit allows.
  const tokens = orders.map((o) => o.checkoutToken).filter((t): t is string => t !== null);
  const orderRefs = [...new Set([...selector.orderExternalIds, ...orders.map((o) => o.externalId)])];
  const select = { id: true, visitorId: true } as const;
  const direct = [
    ...(await inChunks(tokens, (c) => db.event.findMany({ where: { storeId, checkoutToken: { in: c } }, select }))),
    ...(await inChunks(orderRefs, (c) => db.event.findMany({ where: { storeId, orderRef: { in: c } }, select }))),
    // A sign-up's customer reference is the hash of the email when it was one, so both hashes are looked up.
    ...(refs.length > 0 ? await db.event.findMany({ where: { storeId, customerRef: { in: refs } }, select }) : []),
  ];
  const visitorIds = [...new Set(direct.map((e) => e.visitorId).filter((v): v is string => v !== null))];
  // Every event of those browsers is part of the same person's trail.
  const trail = await inChunks(visitorIds, (c) =>
    db.event.findMany({ where: { storeId, visitorId: { in: c } }, select: { id: true } }),
  );
  return {
    orderIds: orders.map((o) => o.id),
    eventIds: [...new Set([...direct.map((e) => e.id), ...trail.map((e) => e.id)])],
    visitorIds,
  };
}

/** What the store holds about the customer, for a data request. */
export async function exportCustomerData(
  db: Db,
  storeId: string,
  selector: CustomerSelector,
): Promise<CustomerDataExport> {
  const found = await findCustomerRows(db, storeId, selector);
  const orders = (await inChunks(found.orderIds, (c) => db.order.findMany({ where: { storeId, id: { in: c } } }))).sort(
    (a, b) => a.placedAt.getTime() - b.placedAt.getTime(),
  );
  const events = (await inChunks(found.eventIds, (c) => db.event.findMany({ where: { storeId, id: { in: c } } }))).sort(
    (a, b) => a.occurredAt.getTime() - b.occurredAt.getTime(),
  );
  const visitors = (
    await inChunks(found.visitorIds, (c) => db.visitor.findMany({ where: { storeId, id: { in: c } } }))
  ).sort((a, b) => a.firstSeenAt.getTime() - b.firstSeenAt.getTime());
  return {
    orders: orders.map((o) => ({
      externalId: o.externalId,
      number: o.number,
      status: o.status,
      currency: o.currency,
      total: toSafeNumber(o.total),
      refunded: toSafeNumber(o.refunded),
      placedAt: o.placedAt.toISOString(),
      checkoutToken: o.checkoutToken,
      landingUrl: o.landingUrl,
      clickIds: parseJson<string[]>(o.clickIds, []),
      discountCodes: parseJson<string[]>(o.discountCodes, []),
      hasEmailHash: o.customerEmailHash !== null,
      hasCustomerRef: o.customerRef !== null,
    })),
    events: events.map((e) => ({
      type: e.type,
      occurredAt: e.occurredAt.toISOString(),
      url: e.url,
      referrer: e.referrer,
      checkoutToken: e.checkoutToken,
      orderRef: e.orderRef,
      clickIds: parseJson<string[]>(e.clickIds, []),
    })),
    visitors: visitors.map((v) => ({
      externalId: v.externalId,
      firstSeenAt: v.firstSeenAt.toISOString(),
      lastSeenAt: v.lastSeenAt.toISOString(),
    })),
  };
}

/**
 * Removes the customer's personal data from the store: their orders lose the email hash, customer reference and
 * landing URL; the events of their checkouts and browsers lose URL, referrer, customer reference and the link to
 * the browser; the browsers (visitors) are deleted. Amounts, statuses, click ids and commissions stay: they are
 * the merchant's and the creators' accounting, not the customer's identity. Running it again changes nothing.
 */
export async function redactCustomer(db: Db, storeId: string, input: CustomerSelector): Promise<RedactionResult> {
  const found = await findCustomerRows(db, storeId, input);
  const selector = CustomerSelectorSchema.parse(input);
  const hashes = [selector.emailHash, selector.customerRef].filter((h): h is string => typeof h === "string");
  const sum = (counts: { count: number }[]) => counts.reduce((n, c) => n + c.count, 0);
  return db.$transaction(
    async (tx) => {
      const orders = await inChunks(found.orderIds, async (c) => [
        await tx.order.updateMany({
          where: { storeId, id: { in: c } },
          data: { customerEmailHash: null, customerRef: null, landingUrl: null },
        }),
      ]);
      const events = await inChunks(found.eventIds, async (c) => [
        await tx.event.updateMany({
          where: { storeId, id: { in: c } },
          data: { customerRef: null, url: null, referrer: null, visitorId: null },
        }),
      ]);
      const visitors = await inChunks(found.visitorIds, async (c) => [
        await tx.visitor.deleteMany({ where: { storeId, id: { in: c } } }),
      ]);
      // Their requests to see the data go too: there is nothing left to show, and they name the customer.
      const dataRequests =
        hashes.length === 0
          ? { count: 0 }
          : await tx.dataRequest.deleteMany({
              where: { storeId, OR: [{ emailHash: { in: hashes } }, { customerRef: { in: hashes } }] },
            });
      return { orders: sum(orders), events: sum(events), visitors: sum(visitors), dataRequests: dataRequests.count };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}
