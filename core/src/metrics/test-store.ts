// One store whose every kind of outcome is known, for the tests that check every surface agrees: a shared
// purchase, a partly refunded one, a cancelled one, a test order (rejected), an unreferred one and a sign-up
// (admin/test-program.ts), plus an order refunded in full, a partly refunded order in EUR and a purchase the
// merchant's server reported through the API, then partly refunded.

import { seedAdminProgram, T0 } from "../admin/test-program.ts";
import { ConversionRequestSchema } from "../api/conversion-schema.ts";
import { recordApiConversion } from "../api/record-conversion.ts";
import type { Db } from "../db/client.ts";
import { addOrderRefund, ingestOrder } from "../orders/ingest-order.ts";
import { DAY, insertClick } from "../testing/fixtures.ts";

export { T0 };
/** Wide enough for every conversion of the store. */
export const METRICS_RANGE = { from: new Date(T0.getTime() - 10 * DAY), to: new Date(T0.getTime() + 2 * DAY) };

/** The API's report of order 1008, credited to the given click. */
export const API_PURCHASE = (click: string) =>
  ConversionRequestSchema.parse({
    type: "purchase",
    order_id: "1008",
    value: "40.00",
    currency: "USD",
    click_id: click,
    occurred_at: new Date(T0.getTime() + 7 * 3_600_000).toISOString(),
  });

export async function seedMetricsStore(db: Db) {
  const program = await seedAdminProgram(db);
  const storeId = program.store.id;
  const [ada, ben, cy] = program.links as [
    (typeof program.links)[0],
    (typeof program.links)[0],
    (typeof program.links)[0],
  ];
  // 1006: Ben, refunded in full afterwards.
  const benClick = await insertClick(db, ben, new Date(T0.getTime() - 2 * 3_600_000));
  await ingestOrder(
    db,
    storeId,
    {
      externalId: `1006-${storeId}`,
      number: "#1006",
      status: "confirmed",
      currency: "USD",
      total: 5_000,
      clickIds: [benClick],
      placedAt: new Date(T0.getTime() + 5 * 3_600_000),
      sourceUpdatedAt: T0,
    },
    { now: T0 },
  );
  await addOrderRefund(db, storeId, `1006-${storeId}`, { id: "all", amount: 5_000 }, { now: T0 });
  // 1007: Ada, in EUR, partly refunded.
  const adaClick = await insertClick(db, ada, new Date(T0.getTime() - 3_600_000));
  await ingestOrder(
    db,
    storeId,
    {
      externalId: `1007-${storeId}`,
      number: "#1007",
      status: "confirmed",
      currency: "EUR",
      total: 12_345,
      clickIds: [adaClick],
      placedAt: new Date(T0.getTime() + 6 * 3_600_000),
      sourceUpdatedAt: T0,
    },
    { now: T0 },
  );
  await addOrderRefund(db, storeId, `1007-${storeId}`, { id: "part", amount: 2_345 }, { now: T0 });
  // 1008: reported by the merchant's server through the API (Cy's click), then 10.00 of 40.00 refunded.
  const apiClick = await insertClick(db, cy, new Date(T0.getTime() - 3 * 3_600_000));
  const recorded = await recordApiConversion(db, storeId, API_PURCHASE(apiClick), "k", T0);
  await addOrderRefund(db, storeId, "1008", { id: "api-part", amount: 1_000 }, { now: T0 });
  return { program, apiClick, recorded };
}
