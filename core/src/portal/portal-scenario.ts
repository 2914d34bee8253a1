// For the portal's tests: two stores built through the real use cases and the real order path (ingestion,
// attribution, rules, refunds, cancellation, payout run), so every figure and reason the portal shows comes
// from what the program itself stored.
//
// Alpine Goods (USD, last click): Ada and Ben. Berlin Boutique (EUR, linear): Ada (the same address, written
// differently), Ben and Cleo. Ada's orders at Alpine: #1001 refunded 20.00 of 45.00, #1002 a test order
// (rejected), #1003 cancelled, #1004 with her code ADA10, #1005 paid out in a run. At Berlin, order #B-77 has
// a click of Ada's and one of Cleo's, so each gets half the credit.

import { createCampaign } from "../campaigns/campaign-store.ts";
import { createCreator } from "../creators/creator.ts";
import type { Db } from "../db/client.ts";
import { createDiscountCode, createLink } from "../links/link-store.ts";
import { ingestOrder, setOrderStatus } from "../orders/ingest-order.ts";
import type { NormalizedOrderInput } from "../orders/normalized-order.ts";
import { createPayoutRun } from "../payouts/index.ts";
import { createStore } from "../stores/store.ts";
import { DAY, insertClick } from "../testing/fixtures.ts";

export const ADA_EMAIL = "ada@example.com";
export const BEN_EMAIL = "ben@example.com";
export const CLEO_EMAIL = "cleo@example.com";

export async function seedPortalScenario(db: Db, now = new Date()) {
  const at = (daysAgo: number, hours = 0) => new Date(now.getTime() - daysAgo * DAY + hours * 3_600_000);
  const suffix = Math.random().toString(36).slice(2, 8);
  const { store: alpine } = await createStore(db, {
    platform: "custom",
    domain: `alpine-${suffix}.example.com`,
    currency: "USD",
    name: "Alpine Goods",
  });
  const { store: berlin } = await createStore(db, {
    platform: "custom",
    domain: `berlin-${suffix}.example.com`,
    currency: "EUR",
    name: "Berlin Boutique",
  });
  // No holding period: a paid order's commission is approved at once, so a payout run can take it.
  const spring = await createCampaign(db, alpine.id, { name: "Spring", holdingDays: 0 });
  const herbst = await createCampaign(db, berlin.id, { name: "Herbst", attributionModel: "linear", holdingDays: 0 });
  const adaA = await createCreator(db, alpine.id, { name: "Ada", email: ADA_EMAIL });
  const benA = await createCreator(db, alpine.id, { name: "Ben", email: BEN_EMAIL });
  const adaB = await createCreator(db, berlin.id, { name: "Ada L.", email: "ADA@Example.COM" });
  const benB = await createCreator(db, berlin.id, { name: "Ben B.", email: BEN_EMAIL });
  const cleoB = await createCreator(db, berlin.id, { name: "Cleo", email: CLEO_EMAIL });
  const link = (storeId: string, campaignId: string, creatorId: string, domain: string) =>
    createLink(db, storeId, { campaignId, creatorId, destinationUrl: `https://${domain}/p` });
  const adaLinkA = await link(alpine.id, spring.id, adaA.id, alpine.domain);
  const benLinkA = await link(alpine.id, spring.id, benA.id, alpine.domain);
  const adaLinkB = await link(berlin.id, herbst.id, adaB.id, berlin.domain);
  const benLinkB = await link(berlin.id, herbst.id, benB.id, berlin.domain);
  const cleoLinkB = await link(berlin.id, herbst.id, cleoB.id, berlin.domain);
  await createDiscountCode(db, alpine.id, { campaignId: spring.id, creatorId: adaA.id, code: "ADA10" });
  await createDiscountCode(db, alpine.id, { campaignId: spring.id, creatorId: benA.id, code: "BEN15" });

  const order = (input: Partial<NormalizedOrderInput> & { externalId: string; total: number }, placedAt: Date) => ({
    status: "confirmed" as const,
    currency: "USD",
    placedAt,
    sourceUpdatedAt: placedAt,
    customerEmailHash: "customer-hash-never-shown",
    ...input,
  });
  // Ada at Alpine.
  const refundedAt = at(2);
  const c1 = await insertClick(db, adaLinkA, at(5, -1));
  await ingestOrder(db, alpine.id, order({ externalId: "9001", number: "#1001", total: 4500, clickIds: [c1] }, at(5)), {
    now: at(5),
  });
  await ingestOrder(
    db,
    alpine.id,
    order(
      {
        externalId: "9001",
        number: "#1001",
        total: 4500,
        clickIds: [c1],
        refunds: [{ id: "r-1", amount: 2000 }],
        sourceUpdatedAt: refundedAt,
      },
      at(5),
    ),
    { now: refundedAt },
  );
  const c2 = await insertClick(db, adaLinkA, at(4, -1));
  await ingestOrder(
    db,
    alpine.id,
    order({ externalId: "9002", number: "#1002", total: 8000, clickIds: [c2], isTest: true }, at(4)),
    { now: at(4) },
  );
  const c3 = await insertClick(db, adaLinkA, at(3, -1));
  await ingestOrder(
    db,
    alpine.id,
    order({ externalId: "9003", number: "#1003", total: 10_000, clickIds: [c3] }, at(3)),
    {
      now: at(3),
    },
  );
  await setOrderStatus(db, alpine.id, "9003", "reversed", at(1), { now: at(1) });
  await ingestOrder(
    db,
    alpine.id,
    order({ externalId: "9004", number: "#1004", total: 3000, discountCodes: ["ada10"], status: "pending" }, at(1)),
    { now: at(1) },
  );
  const c5 = await insertClick(db, adaLinkA, at(6, -1));
  await ingestOrder(
    db,
    alpine.id,
    order({ externalId: "9005", number: "#1005", total: 30_000, clickIds: [c5] }, at(6)),
    {
      now: at(6),
    },
  );
  // Ben at Alpine: 77.77 of commission, paid in the same run.
  const cb = await insertClick(db, benLinkA, at(6, -2));
  await ingestOrder(
    db,
    alpine.id,
    order({ externalId: "9101", number: "#2001", total: 77_770, clickIds: [cb] }, at(6)),
    {
      now: at(6),
    },
  );
  await createPayoutRun(db, alpine.id, { now: at(0, -1) });
  // Berlin: one order with a click of Ada's and one of Cleo's, linear: half each; one order of Ben's alone.
  const ca = await insertClick(db, adaLinkB, at(2, -3));
  const cc = await insertClick(db, cleoLinkB, at(2, -2));
  await ingestOrder(
    db,
    berlin.id,
    order(
      { externalId: "B77", number: "#B-77", currency: "EUR", total: 12_000, clickIds: [ca, cc], status: "pending" },
      at(2),
    ),
    { now: at(2) },
  );
  const cbb = await insertClick(db, benLinkB, at(2, -1));
  await ingestOrder(
    db,
    berlin.id,
    order(
      { externalId: "B88", number: "#B-88", currency: "EUR", total: 99_990, clickIds: [cbb], status: "pending" },
      at(2),
    ),
    { now: at(2) },
  );
  return {
    alpine,
    berlin,
    spring,
    herbst,
    ada: [adaA, adaB],
    ben: [benA, benB],
    cleo: cleoB,
    links: { adaLinkA, benLinkA, adaLinkB, benLinkB, cleoLinkB },
    refundedAt,
  };
}
