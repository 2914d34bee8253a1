import type { Db } from "../db/client.ts";
import { inChunks } from "../db/sql.ts";
import { normalizeDiscountCode } from "../links/link-store.ts";
import { parseJson } from "../shared/db-errors.ts";

// Where a conversion's touches come from, in the order they are looked up. All sources are merged and
// de-duplicated by click id; the attribution model then orders them by time. A discount code is a touch
// stamped at order time, so under last click a creator's code beats an earlier link click from another
// creator: the code was entered at checkout, the strongest signal there is.
//   1. click ids carried by the order itself (landing URL, cart/note attributes, order meta);
//   2. the purchase event joined by checkout token (Shopify's checkout token, WooCommerce's order key: values
//      only the buyer's browser knows), or by order id for an event the store's server sent through the API,
//      and the click ids it held. A browser event naming only an order id never joins: order ids are
//      guessable (WooCommerce's are sequential), so anyone could claim an order for a creator's click;
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

/** Touches for many conversions with a fixed number of queries, whatever the batch size. */
export async function resolveTouchesBatch(
  db: Db,
  storeId: string,
  queries: readonly TouchQuery[],
): Promise<ResolvedTouch[][]> {
  const clickSets = queries.map((q) => new Set(q.clickIds));
  const visitorSets = queries.map(() => new Set<string>());

  // 2. Purchase events joined by checkout token, or by order id when the API (the store's server) sent them.
  const tokens = [...new Set(queries.flatMap((q) => (q.checkoutToken ? [q.checkoutToken] : [])))];
  const refs = [...new Set(queries.flatMap((q) => (q.orderRef ? [q.orderRef] : [])))];
  if (tokens.length + refs.length > 0) {
    const events = await db.event.findMany({
      where: {
        storeId,
        type: "purchase",
        OR: [
          ...(tokens.length ? [{ checkoutToken: { in: tokens } }] : []),
          ...(refs.length ? [{ orderRef: { in: refs }, source: "api" }] : []),
        ],
      },
      select: { clickIds: true, visitorId: true, checkoutToken: true, orderRef: true, source: true },
    });
    queries.forEach((q, i) => {
      for (const e of events) {
        const joined =
          (q.checkoutToken && e.checkoutToken === q.checkoutToken) ||
          (q.orderRef && e.source === "api" && e.orderRef === q.orderRef);
        if (!joined) continue;
        for (const id of parseJson<string[]>(e.clickIds, [])) clickSets[i]!.add(id);
        if (e.visitorId) visitorSets[i]!.add(e.visitorId);
      }
    });
  }

  // 3. Visitors named directly (API visitor id) or through an earlier identified event.
  const externalIds = [...new Set(queries.flatMap((q) => (q.visitorExternalId ? [q.visitorExternalId] : [])))];
  if (externalIds.length > 0) {
    const visitors = await db.visitor.findMany({
      where: { storeId, externalId: { in: externalIds } },
      select: { id: true, externalId: true },
    });
    const byExternal = new Map(visitors.map((v) => [v.externalId, v.id]));
    queries.forEach((q, i) => {
      const id = q.visitorExternalId ? byExternal.get(q.visitorExternalId) : undefined;
      if (id) visitorSets[i]!.add(id);
    });
  }
  const customerRefs = [...new Set(queries.flatMap((q) => (q.customerRef ? [q.customerRef] : [])))];
  if (customerRefs.length > 0) {
    const identified = await db.event.findMany({
      where: { storeId, customerRef: { in: customerRefs }, visitorId: { not: null } },
      select: { visitorId: true, customerRef: true },
    });
    queries.forEach((q, i) => {
      for (const e of identified) if (e.visitorId && e.customerRef === q.customerRef) visitorSets[i]!.add(e.visitorId);
    });
  }
  const allVisitors = [...new Set(visitorSets.flatMap((v) => [...v]))];
  if (allVisitors.length > 0) {
    // Visitors and clicks grow with each visitor's history, past what one statement may bind: read in slices.
    const seen = await inChunks(allVisitors, (ids) =>
      db.event.findMany({
        where: { storeId, visitorId: { in: ids }, clickIds: { not: "[]" } },
        select: { clickIds: true, visitorId: true, occurredAt: true },
        orderBy: { occurredAt: "desc" },
        take: 200 * queries.length,
      }),
    );
    queries.forEach((q, i) => {
      for (const e of seen) {
        if (!e.visitorId || !visitorSets[i]!.has(e.visitorId) || e.occurredAt > q.at) continue;
        for (const id of parseJson<string[]>(e.clickIds, [])) clickSets[i]!.add(id);
      }
    });
  }

  // 1-3 resolved to click rows, then 4: discount codes.
  const allClicks = [...new Set(clickSets.flatMap((c) => [...c].slice(0, MAX_CLICKS)))];
  const clicks = await inChunks(allClicks, (ids) =>
    db.click.findMany({
      where: { storeId, id: { in: ids } },
      select: { id: true, occurredAt: true, campaignId: true, creatorId: true, qualification: true },
    }),
  );
  const clickById = new Map(clicks.map((c) => [c.id, c]));
  const allCodes = [...new Set(queries.flatMap((q) => q.discountCodes.map(normalizeDiscountCode)))];
  const codes = await inChunks(allCodes, (names) =>
    db.discountCode.findMany({ where: { storeId, code: { in: names } } }),
  );
  const codeByName = new Map(codes.map((c) => [c.code, c]));

  return queries.map((q, i) => {
    const touches: ResolvedTouch[] = [];
    for (const id of [...clickSets[i]!].slice(0, MAX_CLICKS)) {
      const c = clickById.get(id);
      if (!c) continue;
      touches.push({
        id: c.id,
        kind: "click",
        at: c.occurredAt.getTime(),
        campaignId: c.campaignId,
        creatorId: c.creatorId,
        qualification: c.qualification as ResolvedTouch["qualification"],
      });
    }
    for (const code of new Set(q.discountCodes.map(normalizeDiscountCode))) {
      const r = codeByName.get(code);
      if (!r) continue;
      touches.push({
        id: `code:${r.code}`,
        kind: "discount_code",
        at: q.at.getTime(),
        campaignId: r.campaignId,
        creatorId: r.creatorId,
        qualification: null,
      });
    }
    return touches;
  });
}

/** A stable fingerprint of a touch set: re-attribution only happens when it changes. */
export function touchKey(touches: readonly Pick<ResolvedTouch, "id">[]): string {
  return touches
    .map((t) => t.id)
    .sort()
    .join(",");
}
