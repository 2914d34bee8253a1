import type { Db } from "../db/client.ts";
import { normalizeDiscountCode } from "../links/link-store.ts";
import { parseJson } from "../shared/db-errors.ts";

// Where a conversion's touches come from, in the order they are looked up. All sources are merged and
// de-duplicated by click id; the attribution model then orders them by time. A discount code is a touch
// stamped at order time, so under last click a creator's code beats an earlier link click from another
// creator: the code was entered at checkout, the strongest signal there is.
//   1. click ids carried by the order itself (landing URL, cart/note attributes, order meta);
//   2. the browser's purchase event joined by checkout token or order id, and the click ids it held;
//   3. every click the same visitor (from that browser event, or the API's visitor id) brought in earlier;
//   4. creator discount codes used on the order.
export interface ResolvedTouch {
  id: string;
  kind: "click" | "discount_code";
  at: number;
  campaignId: string;
  creatorId: string;
  qualification: "qualified" | "repeat" | "bot" | null;
}

export interface TouchQuery {
  clickIds: readonly string[];
  checkoutToken?: string | null;
  orderRef?: string | null;
  visitorExternalId?: string | null;
  /** A hashed customer reference: the visitors who identified as that customer before. */
  customerRef?: string | null;
  discountCodes: readonly string[];
  at: Date;
}

const MAX_CLICKS = 50;

export async function resolveTouches(db: Db, storeId: string, query: TouchQuery): Promise<ResolvedTouch[]> {
  const clickIds = new Set(query.clickIds);
  const visitorIds = new Set<string>();
  const joins = [
    ...(query.checkoutToken ? [{ checkoutToken: query.checkoutToken }] : []),
    ...(query.orderRef ? [{ orderRef: query.orderRef }] : []),
  ];
  if (joins.length > 0) {
    const events = await db.event.findMany({
      where: { storeId, type: "purchase", OR: joins },
      select: { clickIds: true, visitorId: true },
      take: 20,
    });
    for (const e of events) {
      for (const id of parseJson<string[]>(e.clickIds, [])) clickIds.add(id);
      if (e.visitorId) visitorIds.add(e.visitorId);
    }
  }
  if (query.visitorExternalId) {
    const visitor = await db.visitor.findUnique({
      where: { storeId_externalId: { storeId, externalId: query.visitorExternalId } },
      select: { id: true },
    });
    if (visitor) visitorIds.add(visitor.id);
  }
  if (query.customerRef) {
    const identified = await db.event.findMany({
      where: { storeId, customerRef: query.customerRef, visitorId: { not: null } },
      select: { visitorId: true },
      take: 20,
    });
    for (const e of identified) if (e.visitorId) visitorIds.add(e.visitorId);
  }
  if (visitorIds.size > 0) {
    const seen = await db.event.findMany({
      where: { storeId, visitorId: { in: [...visitorIds] }, clickIds: { not: "[]" }, occurredAt: { lte: query.at } },
      select: { clickIds: true },
      orderBy: { occurredAt: "desc" },
      take: 200,
    });
    for (const e of seen) for (const id of parseJson<string[]>(e.clickIds, [])) clickIds.add(id);
  }
  const touches: ResolvedTouch[] = [];
  if (clickIds.size > 0) {
    const clicks = await db.click.findMany({
      where: { storeId, id: { in: [...clickIds].slice(0, MAX_CLICKS) } },
      select: { id: true, occurredAt: true, campaignId: true, creatorId: true, qualification: true },
    });
    for (const c of clicks) {
      touches.push({
        id: c.id,
        kind: "click",
        at: c.occurredAt.getTime(),
        campaignId: c.campaignId,
        creatorId: c.creatorId,
        qualification: c.qualification as ResolvedTouch["qualification"],
      });
    }
  }
  const codes = [...new Set(query.discountCodes.map(normalizeDiscountCode))];
  if (codes.length > 0) {
    const rows = await db.discountCode.findMany({ where: { storeId, code: { in: codes } } });
    for (const r of rows) {
      touches.push({
        id: `code:${r.code}`,
        kind: "discount_code",
        at: query.at.getTime(),
        campaignId: r.campaignId,
        creatorId: r.creatorId,
        qualification: null,
      });
    }
  }
  return touches;
}

/** A stable fingerprint of a touch set: re-attribution only happens when it changes. */
export function touchKey(touches: readonly Pick<ResolvedTouch, "id">[]): string {
  return touches
    .map((t) => t.id)
    .sort()
    .join(",");
}
