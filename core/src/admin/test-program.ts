// A small program with a known outcome, built through the real use cases, for the admin's tests:
// three creators, clicks of every quality, a purchase two creators share, a refunded one, a cancelled one,
// a test order (rejected), an order nobody referred, and a sign-up whose visitor browsed two pages.
import type { Db } from "../db/client.ts";
import { toEventRecord } from "../events/event-record.ts";
import { recordEvents } from "../events/record-events.ts";
import { ingestOrder } from "../orders/ingest-order.ts";
import type { NormalizedOrderInput } from "../orders/normalized-order.ts";
import { DAY, insertClick, seedProgram } from "../testing/fixtures.ts";

export const T0 = new Date("2026-03-10T12:00:00Z");
const HOUR = 3_600_000;

export async function seedAdminProgram(db: Db, domain?: string) {
  const program = await seedProgram(db, {
    ...(domain ? { domain } : {}),
    campaign: {
      name: "Spring",
      goals: ["purchase", "sign_up"],
      attributionModel: "last_click",
      commissionRules: {
        purchase: { type: "percentage", basisPoints: 1000 },
        sign_up: { type: "flat", amount: 200 },
      },
    },
    creators: [{ name: "Ada" }, { name: "Ben" }, { name: "Cy" }],
  });
  const { store, links } = program;
  const [ada, ben, cy] = links as [(typeof links)[0], (typeof links)[0], (typeof links)[0]];
  const at = (offset: number) => new Date(T0.getTime() + offset);

  // Clicks: Ada 3 qualified + 1 repeat, Ben 2 qualified + 1 bot, Cy 1 qualified.
  const adaFirst = await insertClick(db, ada, at(-3 * DAY));
  const adaSecond = await insertClick(db, ada, at(-2 * DAY));
  await insertClick(db, ada, at(-2 * DAY + 60_000), "repeat");
  const adaThird = await insertClick(db, ada, at(-1 * DAY));
  const benFirst = await insertClick(db, ben, at(-1 * DAY + HOUR));
  await insertClick(db, ben, at(-1 * DAY + 2 * HOUR), "bot");
  const benSecond = await insertClick(db, ben, at(-HOUR));
  const cyClick = await insertClick(db, cy, at(-4 * DAY));

  const order = (externalId: string, overrides: Partial<NormalizedOrderInput>): NormalizedOrderInput => ({
    externalId: `${externalId}-${store.id}`,
    number: `#${externalId}`,
    status: "confirmed",
    currency: "USD",
    total: 10_000,
    placedAt: T0,
    sourceUpdatedAt: T0,
    ...overrides,
  });
  const now = { now: T0 };
  // 1001: Ada first, then Ben: last click gives Ben everything, first click Ada.
  const shared = await ingestOrder(
    db,
    store.id,
    order("1001", { clickIds: [adaFirst, benSecond], total: 20_000 }),
    now,
  );
  // 1002: Ada alone, later refunded 30.00 of 100.00.
  const refunded = await ingestOrder(
    db,
    store.id,
    order("1002", { clickIds: [adaSecond], refunds: [{ id: "r1", amount: 3_000 }], placedAt: at(HOUR) }),
    now,
  );
  // 1003: Cy, cancelled.
  const cancelled = await ingestOrder(
    db,
    store.id,
    order("1003", { clickIds: [cyClick], status: "reversed", placedAt: at(2 * HOUR) }),
    now,
  );
  // 1004: Ben, but a test order: rejected by the test_order rule.
  const rejected = await ingestOrder(
    db,
    store.id,
    order("1004", { clickIds: [benFirst], isTest: true, placedAt: at(3 * HOUR) }),
    now,
  );
  // 1005: nobody referred it.
  const unattributed = await ingestOrder(db, store.id, order("1005", { placedAt: at(4 * HOUR) }), now);

  // A visitor lands through Ada's third click, browses two pages and signs up.
  const visitor = `visitor-${store.id}`;
  const events = [
    {
      id: `pv1-${store.id}`,
      type: "page_view" as const,
      visitor_id: visitor,
      click_ids: [adaThird],
      url: `https://${store.domain}/?tm_click=${adaThird}`,
      occurred_at: at(-DAY + 1000).toISOString(),
    },
    {
      id: `pv2-${store.id}`,
      type: "page_view" as const,
      visitor_id: visitor,
      click_ids: [adaThird],
      url: `https://${store.domain}/pricing`,
      occurred_at: at(-DAY + 60_000).toISOString(),
    },
    {
      id: `su-${store.id}`,
      type: "sign_up" as const,
      visitor_id: visitor,
      click_ids: [adaThird],
      customer: "new@example.com",
      occurred_at: at(-DAY + 120_000).toISOString(),
    },
  ];
  await recordEvents(
    db,
    store.id,
    events.map((e) => toEventRecord(e, "script", T0)),
    T0,
  );
  const signUp = await db.conversion.findFirstOrThrow({ where: { storeId: store.id, kind: "sign_up" } });

  return {
    ...program,
    clicks: { adaFirst, adaSecond, adaThird, benFirst, benSecond, cyClick },
    orders: { shared, refunded, cancelled, rejected, unattributed },
    signUp,
    visitor,
  };
}

export type AdminProgram = Awaited<ReturnType<typeof seedAdminProgram>>;
